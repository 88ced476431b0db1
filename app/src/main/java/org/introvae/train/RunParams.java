package org.introvae.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.introvae.model.ImageArchitecture;
import org.introvae.model.ModelConfig;

/**
 * What params.json holds: the run's configuration, the network the data fixed (channels) and facts
 * about the data. Written once when a run starts and read back into the same records.
 */
public record RunParams(int format, String run, TrainConfig config, ModelConfig model, DataFacts data) {
  /**
   * 7: the network has its epochs per level of progressive growing. 6: logging says how many checkpoints are kept and averaged. 5: the network has its style-mixing probability. 4: the network names its architecture. 3: the
   * schedule names its device and replicas. 2: typed records. 1: a flat string map.
   */
  public static final int FORMAT = 7;

  /** How many images the run found and how it split them. */
  public record DataFacts(String source, int images, int trainImages, int heldOutImages, int skippedFiles) {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("params cannot be written as JSON", e);
    }
  }

  /**
   * Reads params.json text. Format 2 gets format 3's device fields as it ran, formats 2 and 3 the
   * residual architecture. Runs from before format 2 stored every option as a flat string map;
   * those are parsed by Train's own option parser, so they yield the same records.
   */
  public static RunParams fromJson(String text) throws IOException, UserError {
    JsonNode root = JSON.readTree(text);
    if (root == null || !root.isObject()) {
      throw new IOException("not a JSON object");
    }
    if (root.has("format")) {
      if (root.get("format").asInt() == 2 && root.path("config").path("schedule") instanceof ObjectNode schedule) {
        schedule.put("device", "cpu");  // format 2 trained one replica on the CPU
        schedule.put("replicas", 1);
      }
      if (root.get("format").asInt() <= 3) {  // before format 4 every run had the residual networks
        if (root.path("config").path("network") instanceof ObjectNode network) {
          network.put("architecture", ImageArchitecture.RESIDUAL.label());
        }
        if (root.path("model") instanceof ObjectNode model) {
          model.put("architecture", ImageArchitecture.RESIDUAL.label());
        }
      }
      if (root.get("format").asInt() <= 4 && root.path("config").path("network") instanceof ObjectNode network) {
        network.put("style-mixing", 0f);  // before format 5 no run mixed styles
      }
      if (root.get("format").asInt() <= 5 && root.path("config").path("logging") instanceof ObjectNode logging) {
        logging.put("keep-checkpoints", Checkpoints.DEFAULT_KEEP);  // before format 6 every run kept two
        logging.put("average-last", 1);  // and its model was the last step's weights
      }
      if (root.get("format").asInt() <= 6) {  // before format 7 no network grew
        if (root.path("config").path("network") instanceof ObjectNode network) {
          network.put("epochs-per-level", 0);
        }
        if (root.path("model") instanceof ObjectNode model) {
          model.put("progressive", false);
        }
      }
      return JSON.treeToValue(root, RunParams.class);
    }
    Map<String, String> flat = new LinkedHashMap<>();
    root.properties().forEach(e -> flat.put(e.getKey(), e.getValue().asText()));
    TrainConfig config = TrainOptions.fromStored(flat).config();
    ModelConfig model = config.network().forChannels(Integer.parseInt(flat.get("model_image_channels")));
    DataFacts data = new DataFacts(flat.get("data_source"), Integer.parseInt(flat.get("data_images")),
        Integer.parseInt(flat.get("data_train_images")), Integer.parseInt(flat.get("data_held_out_images")),
        Integer.parseInt(flat.getOrDefault("data_skipped_files", "0")));
    return new RunParams(1, flat.get("run"), config, model, data);
  }
}
