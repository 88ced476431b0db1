package org.introvae.tools;

import org.introvae.model.UpdateOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.introvae.model.ImageArchitecture;
import org.introvae.model.ModelConfig;
import org.junit.jupiter.api.Test;

class FlopCountTest {
  private static final ModelConfig P28 = new ModelConfig(28, 1, new int[] {64, 128}, 32);

  @Test
  void encoder_of_the_28_preset_by_hand() {
    long stem = 2L * 5 * 5 * 1 * 64 * 28 * 28;                       // 5×5 conv at 28×28
    long res1 = 2L * 14 * 14 * (3 * 3 * 64 * 128 + 3 * 3 * 128 * 128 + 64 * 128); // 64→128 at 14×14, 1×1 shortcut
    long res2 = 2L * 7 * 7 * (2 * 3 * 3 * 128 * 128);                 // 128→128 at 7×7
    long fc = 2L * 7 * 7 * 128 * 64;                                   // → μ, log σ² (2·32)
    assertEquals(stem + res1 + res2 + fc, FlopCount.encoder(P28));
    assertEquals(122_128_384L, FlopCount.encoder(P28));
  }

  @Test
  void decoder_of_the_28_preset_by_hand() {
    long fc = 2L * 32 * 7 * 7 * 128;
    long res1 = 2L * 7 * 7 * (2 * 3 * 3 * 128 * 128);                  // 128→128 at 7×7
    long res2 = 2L * 14 * 14 * (3 * 3 * 128 * 64 + 3 * 3 * 64 * 64 + 128 * 64); // 128→64 at 14×14
    long res3 = 2L * 28 * 28 * (2 * 3 * 3 * 64 * 64);                  // 64→64 at 28×28
    long out = 2L * 28 * 28 * 5 * 5 * 64 * 1;
    assertEquals(fc + res1 + res2 + res3 + out, FlopCount.decoder(P28));
  }

  @Test
  void a_step_counts_each_networks_passes() {
    long e = FlopCount.encoder(P28);
    long d = FlopCount.decoder(P28);
    assertEquals(11 * e + 7 * d, FlopCount.passes("introvae", UpdateOrder.SIMULTANEOUS).flops(P28));
    assertEquals(11 * e + 15 * d, FlopCount.passes("soft", UpdateOrder.SIMULTANEOUS).flops(P28));
    // Alternating: the updated encoder's two forward passes; Soft-IntroVAE's decoder also decodes z_s'' twice.
    assertEquals(13 * e + 7 * d, FlopCount.passes("introvae", UpdateOrder.ALTERNATING).flops(P28));
    assertEquals(13 * e + 17 * d, FlopCount.passes("soft", UpdateOrder.ALTERNATING).flops(P28));
  }

  @Test
  void style_networks_of_the_28_preset_by_hand() {
    ModelConfig style = P28.withArchitecture(ImageArchitecture.STYLE);
    // Style width 128 (the widest map's channels); channels 128 at 7×7, 64 at 14×14 and 28×28.
    long encoder = 2L * 28 * 28 * 1 * 64                                     // 1×1 from the image
        + 2 * (2L * 28 * 28 * 9 * 64 * 64 + 2L * 128 * 128)                  // 28×28: two 3×3 convs, two style maps
        + 2L * 14 * 14 * 9 * 64 * 64 + 2L * 128 * 128                        // 14×14: 64→64
        + 2L * 14 * 14 * 9 * 64 * 128 + 2L * 256 * 128                       //        64→128
        + 2L * 7 * 7 * 9 * 128 * 128 + 2L * 256 * 128                        // 7×7: conv, style map
        + 2L * 7 * 7 * 128 * 128 + 2L * 128 * 128                            //      dense over the map, its style
        + 2 * 2L * 128 * 128 + 2L * 128 * 64;                                // mapping to (μ, log σ²)
    assertEquals(encoder, FlopCount.encoder(style));
    long decoder = 2L * 32 * 128 + 2 * 2L * 128 * 128                        // mapping z → w
        + 2L * 7 * 7 * 9 * 128 * 128 + 2 * 2L * 128 * 256                    // 7×7: constant, one conv, two AdaIN maps
        + 2L * 14 * 14 * 9 * 128 * 64 + 2L * 14 * 14 * 9 * 64 * 64 + 2 * 2L * 128 * 128
        + 2 * 2L * 28 * 28 * 9 * 64 * 64 + 2 * 2L * 128 * 128
        + 2L * 28 * 28 * 64 * 1;                                             // 1×1 to the image
    assertEquals(decoder, FlopCount.decoder(style));
  }
}
