package org.introvae.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;

/** The facts an exported model carries in {@code assets/introvae.json}: image size and channels, z, training details. */
public final class ModelInfo {
  public static final String ASSET = "introvae.json";

  private final Map<String, Object> facts;
  private final int imageSize;
  private final int imageChannels;
  private final int zDim;

  private ModelInfo(Map<String, Object> facts) {
    this.facts = Collections.unmodifiableMap(facts);
    this.imageSize = whole("image_size");
    this.imageChannels = whole("image_channels");
    this.zDim = whole("z");
  }

  @SuppressWarnings("unchecked")
  static ModelInfo read(Path versionDir) {
    Path file = versionDir.resolve("assets").resolve(ASSET);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(versionDir + ": no assets/" + ASSET + " (not a model exported by this project)");
    }
    try {
      Object parsed = Json.parse(Files.readString(file));
      if (!(parsed instanceof Map)) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return new ModelInfo((Map<String, Object>) parsed);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": unreadable model facts (" + e.getMessage() + ")");
    }
  }

  private int whole(String key) {
    Object v = facts.get(key);
    if (!(v instanceof Number n) || n.intValue() < 1) {
      throw new IllegalArgumentException("field " + key + " missing or not a positive number");
    }
    return n.intValue();
  }

  public int imageSize() {
    return imageSize;
  }

  public int imageChannels() {
    return imageChannels;
  }

  /** Values per image: H·W·C. */
  public int imageValues() {
    return imageSize * imageSize * imageChannels;
  }

  public int zDim() {
    return zDim;
  }

  /** Every fact, as written by the exporter (preset, α, β, m, training data, step, final metrics...). */
  public Map<String, Object> facts() {
    return facts;
  }
}
