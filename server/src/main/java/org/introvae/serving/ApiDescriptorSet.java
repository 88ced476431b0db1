package org.introvae.serving;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Set;
import org.introvae.serving.grpc.ModelServiceProtos;
import org.introvae.serving.grpc.PredictionServiceProtos;

/**
 * TF Serving's gRPC API exactly as this server serves it — PredictionService and ModelService with every
 * message they use, TensorFlow's own (TensorProto, SignatureDef, …) in full from TF Java's compiled
 * descriptors — as one FileDescriptorSet. protoc generates a client in any language from it
 * ({@code protoc --descriptor_set_in=FILE --python_out=… tensorflow_serving/apis/prediction_service.proto});
 * the generated modules have TF Serving's paths, so TF Serving clients' imports work unchanged.
 *
 * <p>Usage: {@code ApiDescriptorSet OUT_FILE}.
 */
public final class ApiDescriptorSet {
  private ApiDescriptorSet() {}

  /** The services' files and all they import, each file after its imports. */
  public static FileDescriptorSet of() {
    Set<FileDescriptor> ordered = new LinkedHashSet<>();
    add(PredictionServiceProtos.getDescriptor(), ordered);
    add(ModelServiceProtos.getDescriptor(), ordered);
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    ordered.forEach(f -> set.addFile(f.toProto()));
    return set.build();
  }

  private static void add(FileDescriptor file, Set<FileDescriptor> ordered) {
    if (ordered.contains(file)) {
      return;
    }
    file.getDependencies().forEach(d -> add(d, ordered));
    ordered.add(file);
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: ApiDescriptorSet OUT_FILE");
      System.exit(2);
    }
    Path out = Path.of(args[0]).toAbsolutePath();
    try {
      Files.createDirectories(out.getParent());
      Path tmp = Files.createTempFile(out.getParent(), ".descriptors", ".tmp");
      Files.write(tmp, of().toByteArray());
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      System.err.println(out + ": cannot write the descriptor set (" + e.getMessage() + ")");
      System.exit(1);
    }
    System.out.println("wrote " + out + " (" + of().getFileCount() + " .proto files)");
  }
}
