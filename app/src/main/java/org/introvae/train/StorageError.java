package org.introvae.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a failed write (TensorFlow's or the JDK's) into a one-line error that names the path and the
 * cause a user can act on. TensorFlow reports a full disk as "resource exhausted" with a hint about
 * out-of-memory tensors, which would send the user after the wrong problem.
 */
public final class StorageError {
  private StorageError() {}

  /** An IOException "PATH: could not WHAT (cause)". */
  public static IOException of(Path path, String what, Throwable cause) {
    return new IOException(path + ": could not " + what + " (" + reason(cause) + ")", cause);
  }

  /** The cause in a few words: the operating system's reason when there is one, else the first line. */
  static String reason(Throwable e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    String message = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("no space left") || lower.contains("disk quota")) {
      return "the disk is full";
    }
    if (lower.contains("read-only file system")) {
      return "the file system is read-only";
    }
    if (lower.contains("permission denied") || lower.contains("access denied")) {
      return "permission denied";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
