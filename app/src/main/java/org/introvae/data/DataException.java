package org.introvae.data;

/** A problem with the user's data, described in one line that names the file and what is wrong. */
public final class DataException extends Exception {
  public DataException(String message) {
    super(message);
  }
}
