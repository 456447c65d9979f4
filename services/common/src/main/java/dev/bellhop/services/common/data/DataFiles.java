package dev.bellhop.services.common.data;

import dev.bellhop.services.common.server.ServiceConfig;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a data file: the path in an environment variable when set (an image or a volume can carry
 * newer data), otherwise the copy bundled in the service's jar under {@code data/}.
 */
public final class DataFiles {
  private DataFiles() {}

  /** Blocking: call from a worker ({@code vertx.executeBlocking}). */
  public static Buffer read(ServiceConfig config, String envVar, String fileName) {
    String path = config.env(envVar, null);
    try {
      if (path != null) {
        return Buffer.buffer(Files.readAllBytes(Path.of(path)));
      }
      try (InputStream in =
          DataFiles.class.getClassLoader().getResourceAsStream("data/" + fileName)) {
        if (in == null) {
          throw new IllegalStateException("no " + envVar + " set and no bundled data/" + fileName);
        }
        return Buffer.buffer(in.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read " + (path != null ? path : "data/" + fileName), e);
    }
  }

  /** Where the data came from, for the startup log line. */
  public static String source(ServiceConfig config, String envVar, String fileName) {
    String path = config.env(envVar, null);
    return path != null ? path : "classpath:data/" + fileName;
  }
}
