package org.introvae.tools;

import java.util.Random;
import org.introvae.serving.Json;

/**
 * Heap held by a parsed predict body at the REST size limit (32 MB of 28×28×1 images as nested
 * lists), read as boxed lists (Json.parse) and compactly (Json.parseNumeric, what :predict uses).
 * Usage: JsonMemory [MB]
 */
public final class JsonMemory {
  private static long used() {
    for (int i = 0; i < 5; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  public static void main(String[] args) {
    long limit = (args.length > 0 ? Long.parseLong(args[0]) : 32) * 1_000_000L;
    StringBuilder s = new StringBuilder("{\"signature_name\":\"reconstruct\",\"instances\":[");
    Random random = new Random(1);
    int images = 0;
    while (s.length() < limit - 20_000) {
      s.append(images++ == 0 ? "[" : ",[");
      for (int y = 0; y < 28; y++) {
        s.append(y == 0 ? "[" : ",[");
        for (int x = 0; x < 28; x++) {
          s.append(x == 0 ? "[" : ",[").append(String.format("%.4f", random.nextFloat())).append(']');
        }
        s.append(']');
      }
      s.append(']');
    }
    String body = s.append("]}").toString();
    System.out.printf("body %.1f MB: %d images, %d numbers%n", body.length() / 1e6, images, images * 784L);
    long base = used();
    Object boxed = Json.parse(body);
    long boxedBytes = used() - base;
    java.lang.ref.Reference.reachabilityFence(boxed);
    boxed = null;
    base = used();
    Object compact = Json.parseNumeric(body);
    long compactBytes = used() - base;
    java.lang.ref.Reference.reachabilityFence(compact);
    System.out.printf("heap held: boxed lists (Json.parse) %d MB, compact (Json.parseNumeric) %d MB%n",
        boxedBytes / 1_000_000, compactBytes / 1_000_000);
  }
}
