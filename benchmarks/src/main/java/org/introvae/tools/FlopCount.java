package org.introvae.tools;

import org.introvae.model.ImageArchitecture;
import org.introvae.model.IntroVaeObjective;
import org.introvae.model.SoftIntroVaeObjective;
import org.introvae.model.StyleNetworks;
import org.introvae.model.VaeObjective;
import org.introvae.model.ModelConfig;
import org.introvae.model.UpdateOrder;

/**
 * Analytic FLOPs of the convolutional networks, counting a multiply-add as 2 FLOPs and ignoring
 * element-wise ops (BN, instance norm, activations, pooling, upsampling, noise), per image and forward
 * pass; the style networks count their convolutions, dense layers and style maps.
 */
final class FlopCount {
  private FlopCount() {}

  private static long conv(int size, int k, int in, int out) {
    return 2L * k * k * in * out * size * size;
  }

  private static long residual(int size, int in, int out) {
    return conv(size, 3, in, out) + conv(size, 3, out, out) + (in == out ? 0 : conv(size, 1, in, out));
  }

  private static long dense(int in, int out) {
    return 2L * in * out;
  }

  static long encoder(ModelConfig c) {
    if (c.architecture().styleBased()) {
      return styleEncoder(c);
    }
    int[] w = c.widths();
    int s = c.imageSize();
    long f = conv(s, 5, c.imageChannels(), w[0]);
    s /= 2;
    for (int i = 1; i < w.length; i++) {
      f += residual(s, w[i - 1], w[i]);
      s /= 2;
    }
    f += residual(s, c.lastWidth(), c.lastWidth());
    return f + 2L * s * s * c.lastWidth() * 2 * c.zDim();
  }

  static long decoder(ModelConfig c) {
    if (c.architecture().styleBased()) {
      return styleDecoder(c);
    }
    int[] w = c.widths();
    int s = c.finalSize();
    long f = 2L * c.zDim() * s * s * c.lastWidth();
    int in = c.lastWidth();
    for (int i = w.length - 1; i >= 0; i--) {
      f += residual(s, in, w[i]);
      in = w[i];
      s *= 2;
    }
    return f + residual(s, w[0], w[0]) + conv(s, 5, w[0], c.imageChannels());
  }

  private static long styleEncoder(ModelConfig c) {
    int levels = c.widths().length;
    int w = StyleNetworks.styleWidth(c);
    long f = conv(c.imageSize(), 1, c.imageChannels(), StyleNetworks.channels(c, levels));
    for (int level = levels; level >= 0; level--) {
      int side = c.finalSize() << level;
      int ch = StyleNetworks.channels(c, level);
      f += conv(side, 3, ch, ch) + dense(2 * ch, w);
      if (level > 0) {
        int next = StyleNetworks.channels(c, level - 1);
        f += conv(side, 3, ch, next) + dense(2 * next, w);
      } else {
        f += dense(side * side * ch, ch) + dense(ch, w);
      }
    }
    return f + 2 * dense(w, w) + dense(w, 2 * c.zDim());
  }

  private static long styleDecoder(ModelConfig c) {
    int levels = c.widths().length;
    int w = StyleNetworks.styleWidth(c);
    long f = dense(c.zDim(), w) + 2 * dense(w, w);
    int in = StyleNetworks.channels(c, 0);
    for (int level = 0; level <= levels; level++) {
      int side = c.finalSize() << level;
      int ch = StyleNetworks.channels(c, level);
      f += (level == 0 ? 0 : conv(side, 3, in, ch)) + conv(side, 3, ch, ch) + 2 * dense(w, 2 * ch);
      in = ch;
    }
    return f + conv(c.imageSize(), 1, StyleNetworks.channels(c, levels), c.imageChannels());
  }

  /**
   * Passes one step runs, in units of one network's forward pass: a backward pass counts 1× for the
   * activation gradients plus 1× for the weight gradients where the step updates that network.
   */
  record Passes(String description, int encoderUnits, int decoderUnits) {
    long flops(ModelConfig c) {
      return encoderUnits * encoder(c) + decoderUnits * decoder(c);
    }
  }

  static Passes passes(String objective, UpdateOrder order) {
    boolean alternating = order == UpdateOrder.ALTERNATING;
    return switch (objective) {
      // Simultaneous: forward E(x), D(z), D(z_p), E(ng x_r), E(ng x_p) (each serves both losses);
      // ∂L_E/∂θ_E: E(x) 2, D(z) 1 (activations only), E(ng x_r) 2, E(ng x_p) 2;
      // ∂L_G/∂θ_D: E(ng x_r) 1, E(ng x_p) 1 (activations, to seed x_s), D(z) 2, D(z_p) 2.
      // Alternating adds the updated encoder's forward passes E'(x_r), E'(x_p), which L_G's backward
      // pass goes through instead.
      case IntroVaeObjective.NAME -> alternating
          ? new Passes("forward E×5 (x, ng(x_r), ng(x_p); after E's update x_r, x_p), D×2 (z, z_p); "
              + "backward L_E: E×6 + D×1, L_G: E×2 + D×4", 13, 7)
          : new Passes("forward E×3 (x, ng(x_r), ng(x_p)), D×2 (z, z_p); "
              + "backward L_E: E×6 + D×1, L_G: E×2 + D×4", 11, 7);
      // Simultaneous: forward as IntroVAE plus D(z_r'), D(z_p') (re-reconstructions, serving both losses);
      // ∂L_E/∂θ_E: E(x) 2, D(z) 1, E(ng x_r) 2 + D(z_r') 1, E(ng x_p) 2 + D(z_p') 1;
      // ∂L_D/∂θ_D: E(ng x_r) 1, E(ng x_p) 1, D(z) 2, D(z_p) 2, D(z_r') 2, D(z_p') 2.
      // Alternating: the decoder's terms re-encode x_r, x_p with the updated encoder and decode fresh z_s''.
      case SoftIntroVaeObjective.NAME -> alternating
          ? new Passes("forward E×5 (x, ng(x_r), ng(x_p); after E's update x_r, x_p), D×6 (z, z_p, z_r', z_p', "
              + "z_r'', z_p''); backward L_E: E×6 + D×3, L_D: E×2 + D×8", 13, 17)
          : new Passes("forward E×3 (x, ng(x_r), ng(x_p)), D×4 (z, z_p, z_r', z_p'); "
              + "backward L_E: E×6 + D×3, L_D: E×2 + D×8", 11, 15);
      // The warm-up step: forward E(x), D(z); backward E 2 + D 1 (L_E), D 2 (L_G)
      case VaeObjective.NAME -> new Passes("forward E×1 (x), D×1 (z); backward E×2 + D×1, D×2", 3, 3);
      default -> throw new IllegalArgumentException("unknown objective " + objective);
    };
  }
}
