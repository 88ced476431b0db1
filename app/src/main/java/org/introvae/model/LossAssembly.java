package org.introvae.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What one objective defines over the shared passes (batch means unless said otherwise).
 *
 * @param lossE the encoder's loss; null for an objective without a game (the warm-up loss is both)
 * @param lossG the decoder's loss (IntroVAE's L_G, Soft-IntroVAE's L_D); null in the alternating order's encoder half
 * @param klReconstructed the encoder's KL of the step's reconstructions, before any update (0 where not measured)
 * @param klSampled the same for the samples
 * @param expElboReconstructed Soft-IntroVAE's expELBO of reconstructions (0 for the other objectives)
 * @param expElboSampled the same for the samples
 * @param ngForEncoder where the encoder's loss stops the gradient
 * @param ngForDecoder what the decoder's loss holds fixed
 * @param lossGViaEncoder simultaneous order: the part of the decoder's loss that reaches θ_D only through
 *     the encoder's passes on ng(x_r), ng(x_p), routed by the chain rule; null when taken directly
 * @param encodedGenerated those stopped images ng(x_r), ng(x_p), in that order (empty when not routed)
 */
public record LossAssembly(Operand<TFloat32> lossE, Operand<TFloat32> lossG, Operand<TFloat32> klReconstructed,
    Operand<TFloat32> klSampled, Operand<TFloat32> expElboReconstructed, Operand<TFloat32> expElboSampled,
    List<Operand<TFloat32>> ngForEncoder, List<Operand<TFloat32>> ngForDecoder, Operand<TFloat32> lossGViaEncoder,
    List<Operand<TFloat32>> encodedGenerated) {

  /** The decoder's half of the alternating order: its loss and stop points, nothing measured. */
  static LossAssembly decoderHalf(Operand<TFloat32> lossG, List<Operand<TFloat32>> ngForDecoder, Operand<TFloat32> zero) {
    return new LossAssembly(null, lossG, zero, zero, zero, zero, List.of(), ngForDecoder, null, List.of());
  }

  /** This encoder half's terms and measurements with the decoder half's loss and stop points. */
  LossAssembly withDecoderHalf(LossAssembly decoder) {
    return new LossAssembly(lossE, decoder.lossG(), klReconstructed, klSampled, expElboReconstructed, expElboSampled,
        ngForEncoder, decoder.ngForDecoder(), null, List.of());
  }
}
