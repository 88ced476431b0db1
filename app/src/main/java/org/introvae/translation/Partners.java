package org.introvae.translation;

/**
 * Whose class code each real image is reconstructed from in training: its own, that of one of its
 * {@code neighbours} nearest training images (no labels), or ({@code sameLabel}) that of a training image
 * of its label — LORD's supervision, the reference the unsupervised choices are measured against.
 */
public record Partners(int neighbours, boolean sameLabel) {
  public Partners {
    if (neighbours < 0 || (neighbours > 0 && sameLabel)) {
      throw new IllegalArgumentException("neighbours (" + neighbours + ") or the same label, not both");
    }
  }

  /** Whether images are paired (batches of partners side by side). */
  public boolean paired() {
    return neighbours > 0 || sameLabel;
  }

  /** Its name in metrics, facts and the run's first line. */
  public String label() {
    return sameLabel ? "an image of the same label" : neighbours > 0 ? "one of its " + neighbours + " nearest neighbours"
        : "the image itself";
  }
}
