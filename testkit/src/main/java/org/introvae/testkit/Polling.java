package org.introvae.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waiting for the repository's background scan to pick up a change on disk. */
public final class Polling {
  private Polling() {}

  /** GETs {@code url} until it answers 200 with {@code fragment} in its body, for at most 30 s; returns the last answer. */
  public static HttpResponse<String> await(HttpClient http, String url, String fragment) throws Exception {
    return poll(http, url, fragment, true);
  }

  /** GETs {@code url} until it answers 200 without {@code fragment}, for at most 30 s; returns the last answer. */
  public static HttpResponse<String> awaitAbsent(HttpClient http, String url, String fragment) throws Exception {
    return poll(http, url, fragment, false);
  }

  private static HttpResponse<String> poll(HttpClient http, String url, String fragment, boolean present)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      if ((r.statusCode() == 200 && r.body().contains(fragment) == present) || System.nanoTime() > deadline) {
        return r;
      }
      Thread.sleep(100);
    }
  }
}
