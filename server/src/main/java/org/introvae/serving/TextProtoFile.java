package org.introvae.serving;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** TF Serving's configuration files: protobuf text format, fields this server does not use skipped. */
final class TextProtoFile {
  private TextProtoFile() {}

  /** Merges {@code file} into {@code into}; a one-line error naming the file and {@code what} it should be. */
  static <B extends Message.Builder> B read(Path file, B into, String what) {
    try {
      TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build().merge(Files.readString(file), into);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(file + ": not " + what + " in text format: " + e.getMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read it (" + e.getMessage() + ")");
    }
    return into;
  }
}
