package org.introvae.export;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.ModelConfig;
import org.introvae.model.TranslationNetworks;
import org.introvae.serving.IntroVaeModel;
import org.introvae.serving.ModelInfo;
import org.introvae.train.UserError;

/**
 * A new version of an exported model from an older version's variables (Export --from-model): today's
 * inference graph and signatures over the same weights, e.g. to add a signature to a model whose run
 * folder is gone. The facts are carried over; the measured ones are replaced when --eval is given.
 */
public final class ModelReExport {
  private ModelReExport() {}

  public static Path export(Path from, Path modelDir, Integer version, ModelExporter.EvalData evalData)
      throws UserError, IOException {
    return export(from, modelDir, version, evalData, 1f);
  }

  /** As above, a style model's samples truncated by {@code truncationPsi} (1: none). */
  public static Path export(Path from, Path modelDir, Integer version, ModelExporter.EvalData evalData,
      float truncationPsi) throws UserError, IOException {
    Path source;
    Map<String, Object> facts;
    ModelConfig config;
    try (IntroVaeModel model = IntroVaeModel.load(from)) {
      source = model.folder();
      facts = new LinkedHashMap<>(model.info().facts());
      config = config(source, model.info());
    } catch (IllegalArgumentException e) {
      throw new UserError("--from-model: " + e.getMessage());
    }
    TranslationNetworks.Split split = split(facts);
    facts.put("batch_norm", ModelExporter.batchNormFact(config));
    facts.put("exported_at", Instant.now().toString());
    facts.put("exported_from", source.toString());
    ModelExporter.EvalImages eval = evalData == null ? null : evalData.open(null, config);
    return ModelExporter.write(config, split, source.resolve("variables").resolve("variables"), facts, modelDir,
        version, eval, truncationPsi);
  }

  /**
   * A translation model's latent split from its facts (models exported before "content_noise" was written
   * floor at 1; before "class_modulation" was written their decoders read [z_c, z_s] as one vector).
   */
  static TranslationNetworks.Split split(Map<String, Object> facts) throws UserError {
    if (!(facts.get("class_z") instanceof Number classZ)) {
      return TranslationNetworks.Split.NONE;
    }
    float noise = facts.get("content_noise") instanceof Number n ? n.floatValue() : 1f;
    try {
      return new TranslationNetworks.Split(classZ.intValue(), noise, 1f, Boolean.TRUE.equals(facts.get("class_modulation")));
    } catch (IllegalArgumentException e) {
      throw new UserError("content_noise in the model's facts: " + e.getMessage());
    }
  }

  /**
   * The network shape the facts describe (models exported before "architecture" was written are residual,
   * before "progressive" was written none grew).
   */
  static ModelConfig config(Path source, ModelInfo info) {
    Map<String, Object> facts = info.facts();
    try {
      return new ModelConfig(info.imageSize(), info.imageChannels(), ModelConfig.widthsFrom(String.valueOf(facts.get("widths"))),
          info.zDim(), ImageArchitecture.byLabel(String.valueOf(facts.getOrDefault("architecture",
              ImageArchitecture.RESIDUAL.label()))), Boolean.TRUE.equals(facts.get("progressive")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source.resolve("assets").resolve(ModelInfo.ASSET) + ": " + e.getMessage());
    }
  }
}
