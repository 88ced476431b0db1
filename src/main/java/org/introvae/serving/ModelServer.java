package org.introvae.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TF Serving's REST API (status, metadata, predict) for the models under a base folder, plus PNG
 * endpoints and a small HTML page for people. Errors answer {"error": "..."} with 400 or 404, as TF
 * Serving does; a bad request never stops the server.
 */
public final class ModelServer implements AutoCloseable {
  /** Largest request body accepted. */
  public static final int MAX_BODY = 32 << 20;
  private static final Pattern MODEL = Pattern.compile(
      "/v1/models/([^/:]+)(?:/versions/(\\d{1,18}))?(/metadata|:predict|/samples\\.png|/interpolation\\.png|/reconstruction\\.png)?");

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed
    // ACK: every response waited ~40 ms. Read once, when the JDK's server classes load.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final ModelRepository repository;
  private final HttpServer server;
  private final ExecutorService executor;

  public ModelServer(Path base, String host, int port, int threads) throws IOException {
    repository = new ModelRepository(base);
    server = HttpServer.create(new InetSocketAddress(host, port), 64);
    executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting, lets requests in flight finish (up to 5 s), then frees the models. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    repository.close();
  }

  private record Response(int status, String type, byte[] body) {
    static Response json(int status, String json) {
      return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static Response error(int status, String message) {
      return json(status, Json.write(Map.of("error", message == null ? "internal error" : message)));
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    Response response;
    try {
      response = route(exchange);
    } catch (ModelRepository.NotFound e) {
      response = Response.error(404, e.getMessage());
    } catch (PredictCodec.BadRequest | IllegalArgumentException e) {
      response = Response.error(400, e.getMessage());
    } catch (RuntimeException e) {
      response = Response.error(500, e.toString());
    }
    exchange.getResponseHeaders().set("Content-Type", response.type());
    exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(response.body());
    }
  }

  private Response route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    URI uri = exchange.getRequestURI();
    String path = uri.getPath();
    if (path.equals("/") || path.equals("/index.html")) {
      requireMethod(method, "GET");
      return new Response(200, "text/html; charset=utf-8", WebPage.html(repository.names()).getBytes(StandardCharsets.UTF_8));
    }
    Matcher m = MODEL.matcher(path);
    if (!m.matches()) {
      return Response.error(404, "Not found: " + path);
    }
    String name = m.group(1);
    Long version = m.group(2) == null ? null : Long.parseLong(m.group(2));
    String action = m.group(3) == null ? "" : m.group(3);
    Map<String, String> query = query(uri);
    switch (action) {
      case "" -> {
        requireMethod(method, "GET");
        return Response.json(200, status(name, version));
      }
      case "/metadata" -> {
        requireMethod(method, "GET");
        return Response.json(200, metadata(name, repository.get(name, version)));
      }
      case ":predict" -> {
        requireMethod(method, "POST");
        return Response.json(200, predict(repository.get(name, version), body(exchange)));
      }
      case "/samples.png" -> {
        IntroVaeModel model = repository.get(name, version);
        int count = intParam(query, "count", 16, 1, 256);
        return png(model, model.sample(longParam(query, "seed", 0), count), (int) Math.ceil(Math.sqrt(count)));
      }
      case "/interpolation.png" -> {
        IntroVaeModel model = repository.get(name, version);
        int steps = intParam(query, "steps", 10, 2, 64);
        Random random = new Random(longParam(query, "seed", 0));
        float[][] ends = new float[2][model.info().zDim()];
        for (float[] z : ends) {
          for (int j = 0; j < z.length; j++) {
            z[j] = (float) random.nextGaussian();
          }
        }
        float[][] path2 = new float[steps][];
        for (int s = 0; s < steps; s++) {
          float t = s / (float) (steps - 1);
          path2[s] = new float[ends[0].length];
          for (int j = 0; j < ends[0].length; j++) {
            path2[s][j] = (1 - t) * ends[0][j] + t * ends[1][j];
          }
        }
        return png(model, model.decode(path2), steps);
      }
      default -> { // /reconstruction.png: POST an image, get [input | reconstruction]
        requireMethod(method, "POST");
        IntroVaeModel model = repository.get(name, version);
        ModelInfo info = model.info();
        float[] image = Png.read(body(exchange), info.imageSize(), info.imageChannels());
        float[] reconstruction = model.reconstruct(new float[][] {image})[0];
        return png(model, new float[][] {image, reconstruction}, 2);
      }
    }
  }

  private static Response png(IntroVaeModel model, float[][] images, int columns) {
    ModelInfo info = model.info();
    int scale = Math.max(1, 96 / info.imageSize());
    return new Response(200, "image/png", Png.grid(images, info.imageSize(), info.imageChannels(), columns, scale));
  }

  private String status(String name, Long version) {
    List<Long> versions = repository.versions(name);
    if (versions.isEmpty() || (version != null && !versions.contains(version))) {
      throw new ModelRepository.NotFound(version == null ? "Could not find any versions of model " + name
          : "Servable not found for request: Specific(" + name + ", " + version + ")");
    }
    List<Object> statuses = new java.util.ArrayList<>();
    for (int i = versions.size() - 1; i >= 0; i--) {
      if (version == null || versions.get(i).equals(version)) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("version", String.valueOf(versions.get(i)));
        s.put("state", "AVAILABLE");
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("error_code", "OK");
        ok.put("error_message", "");
        s.put("status", ok);
        statuses.add(s);
      }
    }
    return Json.write(Map.of("model_version_status", statuses));
  }

  private static String metadata(String name, IntroVaeModel model) {
    Map<String, Object> defs = new LinkedHashMap<>();
    for (Map.Entry<String, SignatureDef> entry : new java.util.TreeMap<>(model.signatureDefs()).entrySet()) {
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
    out.put("model_facts", model.info().facts());
    return Json.write(out);
  }

  private static Map<String, Object> tensors(Map<String, TensorInfo> infos) {
    Map<String, Object> out = new LinkedHashMap<>();
    infos.forEach((key, info) -> {
      List<Object> dims = new java.util.ArrayList<>();
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
  private static String predict(IntroVaeModel model, byte[] body) {
    Object parsed;
    try {
      parsed = Json.parse(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new PredictCodec.BadRequest("JSON Parse error: " + e.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new PredictCodec.BadRequest("JSON Value: " + Json.write(parsed) + " Is not object");
    }
    Map<String, Object> request = (Map<String, Object>) parsed;
    Object sig = request.getOrDefault("signature_name", "serving_default");
    if (!(sig instanceof String signature) || !IntroVaeModel.SIGNATURES.contains(signature)) {
      throw new PredictCodec.BadRequest("Serving signature name: \"" + sig + "\" not found in signature def");
    }
    PredictCodec.Request decoded = PredictCodec.decode(request, signature, model.info());
    return PredictCodec.encode(model.run(signature, decoded.inputs()), decoded.rows(), model.info());
  }

  private static byte[] body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new PredictCodec.BadRequest("request body exceeds " + MAX_BODY + " bytes");
      }
      return bytes;
    }
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new PredictCodec.BadRequest("method " + method + " not allowed here; use " + expected);
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new LinkedHashMap<>();
    String q = uri.getRawQuery();
    if (q != null) {
      for (String part : q.split("&")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          out.put(part.substring(0, eq), java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
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
      throw new PredictCodec.BadRequest("query parameter " + name + "='" + v + "' is not a whole number");
    }
  }

  private static int intParam(Map<String, String> query, String name, int fallback, int min, int max) {
    long v = longParam(query, name, fallback);
    if (v < min || v > max) {
      throw new PredictCodec.BadRequest("query parameter " + name + " must be " + min + " to " + max);
    }
    return (int) v;
  }
}
