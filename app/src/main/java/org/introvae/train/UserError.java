package org.introvae.train;

/** A mistake in what the user asked for; printed as one line, never as a stack trace. */
public final class UserError extends Exception {
  public UserError(String message) {
    super(message);
  }
}
