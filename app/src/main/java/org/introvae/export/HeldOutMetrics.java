package org.introvae.export;

import java.util.LinkedHashMap;
import java.util.Map;
import org.introvae.data.ImageSet;
import org.introvae.model.InferenceGraph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Reconstruction error and KL of an exported graph on images it was not trained on, computed with the
 * exported (inference-mode) graph itself: mean per image of ½‖x − D(μ(x))‖² and of KL(q(z|x) ‖ N(0, I)),
 * and the mean squared error per pixel.
 */
final class HeldOutMetrics {
  private static final int BATCH = 256;

  private HeldOutMetrics() {}

  static Map<String, Object> measure(InferenceGraph g, Session session, ImageSet images, int limit) {
    var c = g.config;
    int n = Math.min(limit, images.count());
    int per = images.imageBytes();
    double ae = 0;
    double kl = 0;
    for (int start = 0; start < n; start += BATCH) {
      int b = Math.min(BATCH, n - start);
      float[] x = new float[b * per];
      for (int i = 0; i < b; i++) {
        images.copyTo(start + i, x, i * per);
      }
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(b, c.imageSize(), c.imageSize(), c.imageChannels()),
              DataBuffers.of(x, true, false));
          Result r = session.runner().feed(g.images, t).fetch(g.reconstructions).fetch(g.mu).fetch(g.logvar).run()) {
        float[] xr = flat((TFloat32) r.get(0));
        float[] mu = flat((TFloat32) r.get(1));
        float[] logvar = flat((TFloat32) r.get(2));
        for (int k = 0; k < x.length; k++) {
          double d = xr[k] - x[k];
          ae += 0.5 * d * d;
        }
        for (int k = 0; k < mu.length; k++) {
          kl += -0.5 * (1 + logvar[k] - mu[k] * mu[k] - Math.exp(logvar[k]));
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", images.source());
    m.put("images", n);
    m.put("L_AE_per_image", ae / n);
    m.put("mse_per_pixel", 2 * ae / ((double) n * per));
    m.put("kl_per_image", kl / n);
    return m;
  }

  private static float[] flat(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
