package org.introvae.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.introvae.serving.grpc.PredictionServiceGrpc;
import org.junit.jupiter.api.Test;

/**
 * The import-only declarations in src/main/proto-imports stand for TensorFlow's files that TF Java
 * ships compiled; the generated service code links to TF Java's classes by these names, so each
 * declaration must name the same file, package, Java class and messages as TF Java's descriptor.
 */
class GrpcDescriptorTest {
  private static final Path IMPORTS = Path.of("server/src/main/proto-imports");

  private static String option(String text, String name) {
    Matcher m = Pattern.compile("option " + name + " = \"([^\"]+)\";").matcher(text);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void import_declarations_match_tf_javas_files() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(IMPORTS)) {
      files = walk.filter(p -> p.toString().endsWith(".proto")).toList();
    }
    assertFalse(files.isEmpty());
    for (Path file : files) {
      String text = Files.readString(file);
      String outer = option(text, "java_package") + "." + option(text, "java_outer_classname");
      FileDescriptor real = (FileDescriptor) Class.forName(outer).getMethod("getDescriptor").invoke(null);
      assertEquals(IMPORTS.relativize(file).toString(), real.getName(), outer);
      Matcher pkg = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(text);
      assertEquals(pkg.find() ? pkg.group(1) : null, real.getPackage(), file.toString());
      Matcher message = Pattern.compile("^message (\\w+)", Pattern.MULTILINE).matcher(text);
      while (message.find()) {
        assertNotNull(real.findMessageTypeByName(message.group(1)), file + ": " + message.group(1));
      }
      Matcher enumDecl = Pattern.compile("^enum (\\w+) \\{([^}]*)}", Pattern.MULTILINE).matcher(text);
      while (enumDecl.find()) {
        EnumDescriptor e = real.findEnumTypeByName(enumDecl.group(1));
        assertNotNull(e, file + ": " + enumDecl.group(1));
        Matcher value = Pattern.compile("(\\w+) = (\\d+);").matcher(enumDecl.group(2));
        while (value.find()) {
          assertEquals(Integer.parseInt(value.group(2)), e.findValueByName(value.group(1)).getNumber(), value.group(1));
        }
      }
    }
  }

  @Test
  void services_have_tf_servings_full_names() {
    assertEquals("tensorflow.serving.PredictionService", PredictionServiceGrpc.SERVICE_NAME);
    assertEquals("tensorflow.serving.PredictionService/Predict",
        PredictionServiceGrpc.getPredictMethod().getFullMethodName());
    assertEquals("tensorflow.serving.ModelService/GetModelStatus",
        org.introvae.serving.grpc.ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName());
  }
}
