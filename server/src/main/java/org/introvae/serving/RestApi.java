package org.introvae.serving;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TF Serving's REST API (status, metadata, predict) for the models of a repository, plus PNG endpoints
 * and a page for people: one request in, one reply out, independent of the HTTP transport. Errors
 * answer {"error": "..."} with TF Serving's statuses: 400 for a bad request, 404 for an unknown model
 * or version; 405 for a wrong method on our own endpoints.
 */
final class RestApi {
  private static final Pattern MODEL = Pattern.compile(
      "/v1/models/([^/:]+)(?:/versions/(\\d{1,18})|/labels/([^/:]+))?(/metadata|:predict|:classify|:regress|/samples\\.png|/interpolation\\.png|/translation\\.png|/reconstruction\\.png)?");

  private final ModelRepository repository;
  /** Null when monitoring is off. */
  private final ServingMetrics metrics;
  private final String metricsPath;

  RestApi(ModelRepository repository) {
    this(repository, null, null);
  }

  RestApi(ModelRepository repository, ServingMetrics metrics, String metricsPath) {
    this.repository = repository;
    this.metrics = metrics;
    this.metricsPath = metricsPath;
  }

  /** An answer: status, content type, body and any extra headers. */
  record Reply(int status, String type, byte[] body, Map<String, String> headers) {
    static Reply json(int status, String json) {
      return new Reply(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply error(int status, String message) {
      return json(status, Json.write(Map.of("error", message == null ? "internal error" : message)));
    }
  }

  /** A request the client got wrong, with the HTTP status to answer. */
  static final class ClientError extends RuntimeException {
    final int status;
    final Map<String, String> headers;

    ClientError(int status, String message) {
      this(status, message, Map.of());
    }

    ClientError(int status, String message, Map<String, String> headers) {
      super(message);
      this.status = status;
      this.headers = headers;
    }
  }

  /** Whether this request carries a body the API reads (the server reads it before calling {@link #handle}). */
  static boolean takesBody(String method) {
    return method.equals("POST") || method.equals("PUT");
  }

  Reply handle(String method, String rawPath, String rawQuery, byte[] body) {
    long start = System.nanoTime();
    Reply reply = answer(method, rawPath, rawQuery, body);
    if (metrics != null) {
      Matcher m = MODEL.matcher(rawPath);
      if (m.matches()) {
        String action = m.group(4) == null ? "" : m.group(4);
        String api = switch (action) {
          case "" -> "GetModelStatus";
          case "/metadata" -> "GetModelMetadata";
          case ":predict" -> "Predict";
          case ":classify" -> "Classify";
          case ":regress" -> "Regress";
          default -> "Image";
        };
        metrics.record(m.group(1), api, "REST", ServingMetrics.status(reply.status()), System.nanoTime() - start);
      }
    }
    return reply;
  }

  private Reply answer(String method, String rawPath, String rawQuery, byte[] body) {
    try {
      return route(method, decodePath(rawPath), query(rawQuery), body);
    } catch (ModelRepository.NotFound e) {
      return Reply.error(404, e.getMessage());
    } catch (RequestBatcher.QueueFull e) {
      return Reply.error(503, e.getMessage());
    } catch (ClientError e) {
      Reply r = Reply.error(e.status, e.getMessage());
      return new Reply(r.status(), r.type(), r.body(), e.headers);
    } catch (InvalidInput | IllegalArgumentException e) {
      return Reply.error(400, e.getMessage());
    }
  }

  private Reply route(String method, String path, Map<String, String> query, byte[] body) {
    if (metrics != null && path.equals(metricsPath)) {
      allow(method, "GET");
      return new Reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics.text().getBytes(StandardCharsets.UTF_8),
          Map.of());
    }
    if (path.equals("/") || path.equals("/index.html")) {
      allow(method, "GET");
      return new Reply(200, "text/html; charset=utf-8", WebPage.html(repository.introVaeNames()).getBytes(StandardCharsets.UTF_8), Map.of());
    }
    Matcher m = MODEL.matcher(path);
    if (!m.matches()) {
      return Reply.error(404, "Not found: " + path);
    }
    String name = m.group(1);
    Long version = m.group(2) != null ? Long.valueOf(m.group(2))
        : m.group(3) != null ? Long.valueOf(repository.versionOfLabel(name, m.group(3))) : null;
    String action = m.group(4) == null ? "" : m.group(4);
    switch (action) {
      case "" -> {
        malformedUnless(method, "GET", path);
        return Reply.json(200, status(name, version));
      }
      case "/metadata" -> {
        malformedUnless(method, "GET", path);
        return Reply.json(200, metadata(name, repository.get(name, version)));
      }
      case ":predict" -> {
        malformedUnless(method, "POST", path);
        return Reply.json(200, predict(repository.get(name, version), body));
      }
      case ":classify", ":regress" -> {
        malformedUnless(method, "POST", path);
        return Reply.json(200, classifyOrRegress(repository.get(name, version), action.substring(1), body));
      }
      case "/samples.png" -> {
        allow(method, "GET");
        IntroVaeModel model = introVae(name, version);
        int count = intParam(query, "count", 16, 1, 256);
        return png(model, model.sample(longParam(query, "seed", 0), count), (int) Math.ceil(Math.sqrt(count)));
      }
      case "/interpolation.png" -> {
        allow(method, "GET");
        IntroVaeModel model = introVae(name, version);
        int steps = intParam(query, "steps", 10, 2, 64);
        return png(model, model.decodePriorDraws(interpolation(model.info().zDim(), steps, longParam(query, "seed", 0))),
            steps);
      }
      case "/translation.png" -> { // translation models: samples as class (rows) and content (columns) sources
        allow(method, "GET");
        IntroVaeModel model = introVae(name, version);
        int count = intParam(query, "count", 6, 2, 12);
        float[][] sources = model.sample(longParam(query, "seed", 0), 2 * count);
        float[][] classes = java.util.Arrays.copyOfRange(sources, 0, count);
        float[][] contents = java.util.Arrays.copyOfRange(sources, count, 2 * count);
        float[][] a = new float[count * count][];
        float[][] b = new float[count * count][];
        for (int i = 0; i < count * count; i++) {
          a[i] = classes[i / count];
          b[i] = contents[i % count];
        }
        return png(model, Png.table(classes, contents, model.translate(a, b)), count + 1);
      }
      default -> { // /reconstruction.png: POST an image, get [input | reconstruction]
        allow(method, "POST");
        IntroVaeModel model = introVae(name, version);
        ModelInfo info = model.info();
        float[] image = Png.read(body, info.imageSize(), info.imageChannels());
        float[] reconstruction = model.reconstruct(new float[][] {image})[0];
        return png(model, new float[][] {image, reconstruction}, 2);
      }
    }
  }

  /** The PNG endpoints draw images: only our IntroVAE exports have them. */
  private IntroVaeModel introVae(String name, Long version) {
    IntroVaeModel model = repository.get(name, version).introVae();
    if (model == null) {
      throw new ModelRepository.NotFound("model " + name + " is not an IntroVAE export (no assets/" + ModelInfo.ASSET
          + "): it has TF Serving's endpoints (:predict, /metadata) but no PNG endpoints");
    }
    return model;
  }

  /** TF Serving answers a method its API does not take on a path with 400 "Malformed request". */
  private static void malformedUnless(String method, String expected, String path) {
    if (!method.equals(expected)) {
      throw new ClientError(400, "Malformed request: " + method + " " + path + " (use " + expected + ")");
    }
  }

  /** Our own endpoints answer a wrong method with 405 and the allowed one. */
  private static void allow(String method, String allowed) {
    if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
      throw new ClientError(405, "method " + method + " not allowed here; use " + allowed, Map.of("Allow", allowed));
    }
  }

  /** Straight line between two latents drawn from the seed. */
  private static float[][] interpolation(int z, int steps, long seed) {
    Random random = new Random(seed);
    float[][] ends = new float[2][z];
    for (float[] end : ends) {
      for (int j = 0; j < z; j++) {
        end[j] = (float) random.nextGaussian();
      }
    }
    float[][] path = new float[steps][z];
    for (int s = 0; s < steps; s++) {
      float t = s / (float) (steps - 1);
      for (int j = 0; j < z; j++) {
        path[s][j] = (1 - t) * ends[0][j] + t * ends[1][j];
      }
    }
    return path;
  }

  private static Reply png(IntroVaeModel model, float[][] images, int columns) {
    ModelInfo info = model.info();
    int scale = Math.max(1, 96 / info.imageSize());
    return new Reply(200, "image/png", Png.grid(images, info.imageSize(), info.imageChannels(), columns, scale), Map.of());
  }

  /** TF Serving's GetModelStatusResponse: each version's state, and the load error of one that failed. */
  private String status(String name, Long version) {
    List<ModelRepository.Version> versions = repository.versions(name);
    if (versions.isEmpty()) {
      throw new ModelRepository.NotFound("Could not find any versions of model " + name);
    }
    List<Object> statuses = new ArrayList<>();
    for (ModelRepository.Version v : versions) {
      if (version == null || v.number() == version) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("version", String.valueOf(v.number()));
        s.put("state", v.state());
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error_code", v.error() == null ? "OK" : "UNKNOWN");
        error.put("error_message", v.error() == null ? "" : v.error());
        s.put("status", error);
        statuses.add(s);
      }
    }
    if (statuses.isEmpty()) {
      throw new ModelRepository.NotFound("Servable not found for request: Specific(" + name + ", " + version + ")");
    }
    return Json.write(Map.of("model_version_status", statuses));
  }

  private static String metadata(String name, ServableModel model) {
    Map<String, Object> defs = new LinkedHashMap<>();
    for (Map.Entry<String, SignatureDef> entry : new java.util.TreeMap<>(model.signatures()).entrySet()) {
      SignatureDef def = entry.getValue();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("inputs", tensors(def.getInputsMap()));
      d.put("outputs", tensors(def.getOutputsMap()));
      d.put("method_name", def.getMethodName());
      defs.put(entry.getKey(), d);
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("signature_name", "");
    spec.put("version", String.valueOf(model.version()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model_spec", spec);
    out.put("metadata", Map.of("signature_def", Map.of("signature_def", defs)));
    if (model.introVae() != null) {
      out.put("model_facts", model.introVae().info().facts());
    }
    return Json.write(out);
  }

  private static Map<String, Object> tensors(Map<String, TensorInfo> infos) {
    Map<String, Object> out = new LinkedHashMap<>();
    infos.forEach((key, info) -> {
      List<Object> dims = new ArrayList<>();
      for (TensorShapeProto.Dim dim : info.getTensorShape().getDimList()) {
        dims.add(Map.of("size", String.valueOf(dim.getSize()), "name", ""));
      }
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("dtype", info.getDtype().name());
      t.put("tensor_shape", Map.of("dim", dims, "unknown_rank", info.getTensorShape().getUnknownRank()));
      t.put("name", info.getName());
      out.put(key, t);
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> jsonObject(byte[] body, boolean numeric) {
    Object parsed;
    try {
      parsed = numeric ? Json.parseNumeric(body) : Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("JSON Parse error: " + e.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new InvalidInput("JSON Value: " + Json.write(parsed) + " Is not object");
    }
    return (Map<String, Object>) parsed;
  }

  private static String classifyOrRegress(ServableModel model, String method, byte[] body) {
    Map<String, Object> request = jsonObject(body, false);
    String signature = ExampleJson.signature(request);
    byte[][] examples = ExampleInference.serialized(ExampleJson.input(request, method));
    return method.equals("classify") ? ExampleJson.classification(ExampleInference.classify(model, signature, examples))
        : ExampleJson.regression(ExampleInference.regress(model, signature, examples));
  }

  private static String predict(ServableModel model, byte[] body) {
    // Tensors arrive as nested numbers: read them compactly, 8 bytes a number.
    TensorJson.Request request = TensorJson.decode(jsonObject(body, true), model);
    return TensorJson.encode(model.run(request.signature(), request.inputs(), List.of()), request.rows());
  }

  /** The path with %XX escapes decoded; a malformed escape is the client's error. */
  static String decodePath(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
          throw new ClientError(400, "malformed percent-encoding at offset " + i + " of the path");
        }
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw != null) {
      for (String part : raw.split("&")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          try {
            out.put(part.substring(0, eq), java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            throw new ClientError(400, "malformed percent-encoding in query parameter " + part.substring(0, eq));
          }
        }
      }
    }
    return out;
  }

  private static long longParam(Map<String, String> query, String name, long fallback) {
    String v = query.get(name);
    try {
      return v == null ? fallback : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidInput("query parameter " + name + "='" + v + "' is not a whole number");
    }
  }

  private static int intParam(Map<String, String> query, String name, int fallback, int min, int max) {
    long v = longParam(query, name, fallback);
    if (v < min || v > max) {
      throw new InvalidInput("query parameter " + name + " must be " + min + " to " + max);
    }
    return (int) v;
  }
}
