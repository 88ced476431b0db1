package org.introvae.serving;

/** A request the client got wrong: HTTP 400, gRPC INVALID_ARGUMENT, with this message. */
final class InvalidInput extends RuntimeException {
  InvalidInput(String message) {
    super(message);
  }
}
