package org.introvae.tools;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;
import org.introvae.testkit.ImageBomb;
import org.introvae.testkit.RawHttp;

/**
 * Sends a running REST server what a hostile or broken network sends it and prints one line per case:
 * the case, the HTTP status it got (or what happened), and whether the server survived (answered as
 * expected and still answers a normal request within a second afterwards).
 *
 * <p>Usage: HostileProbe HOST PORT [MODEL]. Meant for 127.0.0.1 and a server you started yourself.
 */
public final class HostileProbe {
  private final String host;
  private final int port;
  private final String model;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private int failures;

  private HostileProbe(String host, int port, String model) {
    this.host = host;
    this.port = port;
    this.model = model;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: HostileProbe HOST PORT [MODEL]");
      System.exit(2);
    }
    HostileProbe probe = new HostileProbe(args[0], Integer.parseInt(args[1]), args.length > 2 ? args[2] : "fashion-mnist");
    System.out.printf("%-44s | %-22s | survived%n", "case", "answer");
    probe.run();
    System.exit(probe.failures == 0 ? 0 : 1);
  }

  private void run() throws Exception {
    String predict = "/v1/models/" + model + ":predict";
    slowClients();
    raw("body shorter than its Content-Length", "POST " + predict + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in",
        s -> s == 408);
    StringBuilder many = new StringBuilder("GET /v1/models/" + model + " HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 500; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    raw("500 header fields", many + "Connection: close\r\n\r\n", s -> s == 431);
    raw("a 100 KB header", "GET /v1/models/" + model + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(100_000) + "\r\n\r\n",
        s -> s == 431);
    raw("bad percent-encoding in the path", "GET /v1/models/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", s -> s == 400);
    raw("bad percent-encoding in the query", "GET /v1/models/" + model + "/samples.png?seed=%zz HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n", s -> s == 400);
    bombs();
    post("z = 1e39 (beyond float32)", predict, decode("1e39"), s -> s == 400);
    post("z = 3e38 (overflows the network)", predict, decode("3e38"), s -> s == 400 || s == 200);
    post("\\uZZZZ escape in JSON", predict, "{\"signature_name\": \"\\uZZZZ\"}".getBytes(), s -> s == 400);
    post("malformed JSON", predict, "{\"instances\": [1,".getBytes(), s -> s == 400);
    post("JSON nested 10,000 deep", predict, ("[".repeat(10_000) + "]".repeat(10_000)).getBytes(), s -> s == 400);
    post("body of 40 MB", predict, new byte[40 << 20], s -> s == 413);
    request("PUT on samples.png", "PUT", "/v1/models/" + model + "/samples.png", new byte[0], s -> s == 405);
    request("DELETE on the model", "DELETE", "/v1/models/" + model, new byte[0], s -> s == 400 || s == 405);
    request("GET on reconstruction.png", "GET", "/v1/models/" + model + "/reconstruction.png", new byte[0], s -> s == 405);
    request("unknown model", "GET", "/v1/models/nosuchmodel", new byte[0], s -> s == 404);
  }

  private static byte[] decode(String z) {
    return ("{\"signature_name\": \"decode\", \"inputs\": {\"z\": [[" + z + ",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]}}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** 200 stalled connections, then 10 normal requests that must each be answered within a second. */
  private void slowClients() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Socket s = new Socket(host, port);
        String partial = switch (i % 3) {
          case 0 -> "GET /v1/mod";
          case 1 -> "GET /v1/models/" + model + " HTTP/1.1\r\nHost: x\r\nX-Slow: ";
          default -> "POST /v1/models/" + model + ":predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{";
        };
        s.getOutputStream().write(partial.getBytes(StandardCharsets.US_ASCII));
        stalled.add(s);
      }
      double slowest = 0;
      boolean ok = true;
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        ok &= get("/v1/models/" + model).statusCode() == 200;
        slowest = Math.max(slowest, (System.nanoTime() - t0) / 1e9);
      }
      report("200 stalled connections, 10 normal requests", String.format(Locale.ROOT, "slowest %.3f s", slowest),
          ok && slowest < 1.0);
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  private void bombs() throws Exception {
    byte[] bomb = ImageBomb.png(20_000, 20_000);
    List<CompletableFuture<HttpResponse<String>>> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base() + "/v1/models/" + model + "/reconstruction.png"))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(bomb)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    StringBuilder statuses = new StringBuilder();
    boolean ok = true;
    for (CompletableFuture<HttpResponse<String>> f : three) {
      int status = f.get().statusCode();
      statuses.append(statuses.length() == 0 ? "" : ",").append(status);
      ok &= status == 400;
    }
    report("3 PNG bombs at once (20,000² px, " + bomb.length / 1024 + " KB)", "HTTP " + statuses, ok);
  }

  private void raw(String name, String request, IntPredicate expected) {
    String answer;
    int status = -1;
    try (Socket s = new Socket(host, port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String response = RawHttp.readAll(s.getInputStream());
      if (response.startsWith("HTTP/1.1 ")) {
        status = Integer.parseInt(response.substring(9, 12));
        answer = "HTTP " + status + (response.contains("{\"error\":") ? " JSON" : " not JSON");
      } else {
        answer = response.isEmpty() ? "closed without answer" : "not HTTP";
      }
    } catch (IOException e) {
      answer = "failed: " + e.getMessage();
    }
    report(name, answer, expected.test(status) && answer.endsWith("JSON") && !answer.endsWith("not JSON"));
  }

  /** Everything the server sends until it closes the connection (a reset after its answer counts as the end). */

  private void post(String name, String path, byte[] body, IntPredicate expected) {
    request(name, "POST", path, body, expected);
  }

  private void request(String name, String method, String path, byte[] body, IntPredicate expected) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60))
          .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      boolean json = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
      boolean finite = !r.body().contains("NaN") && !r.body().contains("Infinity");
      report(name, "HTTP " + r.statusCode() + (json ? " JSON" : ""), expected.test(r.statusCode()) && json && finite);
    } catch (Exception e) {
      report(name, "failed: " + e.getMessage(), false);
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String base() {
    return "http://" + host + ":" + port;
  }

  /** Prints the line; the server survived when the answer was as expected and it still answers within a second. */
  private void report(String name, String answer, boolean expected) {
    boolean alive;
    try {
      long t0 = System.nanoTime();
      alive = get("/v1/models/" + model).statusCode() == 200 && (System.nanoTime() - t0) / 1e9 < 1.0;
    } catch (Exception e) {
      alive = false;
    }
    boolean survived = expected && alive;
    failures += survived ? 0 : 1;
    System.out.printf("%-44s | %-22s | %s%n", name, answer, survived ? "yes" : "NO");
  }
}
