package org.introvae.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * How a reconstruction is compared with its original, one value per sample: what the decoder produces
 * decides it (pixels by the squared error, unordered points by the Chamfer distance). Soft-IntroVAE's
 * L_REC is this error; IntroVAE's and the VAE's L_AE is half of it.
 */
public enum ReconstructionError {
  /** Σ (x_r − x)² over every value: {@link Losses.Soft#L_REC}. */
  SQUARED_ERROR {
    @Override
    public Operand<TFloat32> of(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr) {
      return Losses.Soft.L_REC(tf, x, xr);
    }
  },
  /** The Chamfer distance between two clouds of 3-D points: {@link Losses#L_CD}. */
  CHAMFER {
    @Override
    public Operand<TFloat32> of(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr) {
      return Losses.L_CD(tf, x, xr);
    }
  };

  /** The error of {@code xr} against {@code x}, per sample. */
  public abstract Operand<TFloat32> of(Ops tf, Operand<TFloat32> x, Operand<TFloat32> xr);
}
