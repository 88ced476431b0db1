package org.introvae.serving;

import java.util.List;

/**
 * The signatures of an exported IntroVAE and their input and output keys: the one place the exporter
 * writes them from and the loader, server and tools read them by.
 */
public final class Signatures {
  public static final String SERVING_DEFAULT = "serving_default";
  public static final String RECONSTRUCT = "reconstruct";
  public static final String ENCODE = "encode";
  public static final String DECODE = "decode";
  public static final String SAMPLE = "sample";
  /** Encoded image bytes in, fitted in the graph as training fits images; newer exports only. */
  public static final String RECONSTRUCT_IMAGE = "reconstruct_image";

  /**
   * As {@link #SAMPLE}, with every batch normalisation on the statistics of the batch being decoded (as the
   * authors' FID code samples) instead of the moving averages; exports of models with batch norm, newer
   * ones only.
   */
  public static final String SAMPLE_BATCH_STATISTICS = "sample_batch_statistics";

  /** Translation models only: pairs of a class image and a content image in, D(z_c, z_s) out. */
  public static final String TRANSLATE = "translate";

  /** What every export holds and the loader requires. */
  public static final List<String> REQUIRED = List.of(SERVING_DEFAULT, RECONSTRUCT, ENCODE, DECODE, SAMPLE);

  /**
   * As {@link #DECODE}, with the decoder's normalisation statistics measured on prior draws (those
   * {@link #SAMPLE} uses): for z ~ N(0, I) and paths between such draws, where {@link #DECODE}'s moving
   * averages suit codes of images. Exports of models with batch norm, newer ones only.
   */
  public static final String DECODE_PRIOR = "decode_prior";

  /**
   * Style-based models only: style mixing, D with the styles of {@link #Z} in the first {@link #CROSSOVER}
   * styled layers (coarse to fine) and those of {@link #Z_FINE} in the rest.
   */
  public static final String MIX_STYLES = "mix_styles";

  /** What some exports hold: the loader answers them when present. */
  public static final List<String> OPTIONAL = List.of(SAMPLE_BATCH_STATISTICS, DECODE_PRIOR, TRANSLATE, MIX_STYLES);

  /** Input and output keys. */
  public static final String IMAGES = "images";
  public static final String RECONSTRUCTIONS = "reconstructions";
  public static final String MU = "mu";
  public static final String LOGVAR = "logvar";
  public static final String Z = "z";
  public static final String SEED = "seed";
  public static final String COUNT = "count";
  public static final String IMAGE_BYTES = "image_bytes";
  public static final String CLASS_IMAGES = "class_images";
  public static final String CONTENT_IMAGES = "content_images";
  public static final String Z_FINE = "z_fine";
  public static final String CROSSOVER = "crossover";
  /** Point-cloud models: clouds [n, points, 3] in and out. */
  public static final String CLOUDS = "clouds";

  private Signatures() {}
}
