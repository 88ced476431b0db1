package org.introvae.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** What a hand-written HTTP client (a raw socket) reads back. */
public final class RawHttp {
  private RawHttp() {}

  /** Everything until the server closes the connection, as UTF-8. */
  public static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // the server may reset after answering a request it will not read further
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
