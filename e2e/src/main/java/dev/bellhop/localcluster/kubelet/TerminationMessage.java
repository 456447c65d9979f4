package dev.bellhop.localcluster.kubelet;

import dev.bellhop.localcluster.apiserver.logs.PodLogOptions;
import dev.bellhop.localcluster.apiserver.logs.PodLogReader;
import io.fabric8.kubernetes.api.model.Container;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A container's termination message, as the kubelet reads it when the container exits: the end of
 * the file the container wrote at its {@code terminationMessagePath} (mapped onto the pod's
 * directory by {@link PodSandbox}), or, with {@code FallbackToLogsOnError}, the end of its log when
 * it failed and wrote nothing. Kept as it is: the kubelet trims nothing.
 */
final class TerminationMessage {
  /** kube's default {@code terminationMessagePath}. */
  static final String DEFAULT_PATH = "/dev/termination-log";

  static final String FALLBACK_TO_LOGS_ON_ERROR = "FallbackToLogsOnError";

  /** kube's MaxContainerTerminationMessageLength. */
  static final int MAX_BYTES = 4 * 1024;

  /** kube's MaxContainerTerminationMessageLogLines and MaxContainerTerminationMessageLogLength. */
  static final int MAX_LOG_LINES = 80;

  static final int MAX_LOG_BYTES = 2 * 1024;

  private TerminationMessage() {}

  /** The container's path of its message: kube-apiserver defaults an unset one. */
  static String path(Container c) {
    String path = c.getTerminationMessagePath();
    return path == null || path.isEmpty() ? DEFAULT_PATH : path;
  }

  /**
   * The message of a container that exited with {@code exitCode}: the last {@value #MAX_BYTES}
   * bytes of {@code file}; {@code logTail} when the policy falls back to the log, the exit code is
   * not 0 and the file is empty or missing. Empty when there is none.
   */
  static String read(Path file, String policy, int exitCode, Supplier<String> logTail) {
    boolean fallback = FALLBACK_TO_LOGS_ON_ERROR.equals(policy) && exitCode != 0;
    byte[] data;
    try {
      data = tail(file, MAX_BYTES);
    } catch (NoSuchFileException e) {
      data = new byte[0];
    } catch (IOException e) {
      // What the kubelet reports instead of the message, without falling back.
      return "Error on reading termination log " + file + ": " + e.getMessage();
    }
    if (data.length == 0 && fallback) {
      return logTail.get();
    }
    return new String(data, StandardCharsets.UTF_8);
  }

  /**
   * The end of a container log as the kubelet falls back to it: the text of its last {@value
   * #MAX_LOG_LINES} lines (both streams, no timestamps), of which the last {@value #MAX_LOG_BYTES}
   * bytes.
   */
  static String logTail(Path log) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      // Read as pods/log serves it, as the kubelet reads it through its own log reader.
      PodLogReader.copy(
          log,
          new PodLogOptions(null, false, false, (long) MAX_LOG_LINES, null, false, null),
          bytes -> {
            out.writeBytes(bytes);
            return true;
          });
    } catch (IOException e) {
      return "Error on reading termination message from logs: " + e.getMessage();
    }
    byte[] all = out.toByteArray();
    int from = Math.max(0, all.length - MAX_LOG_BYTES);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  /** The last {@code max} bytes of a file (kube's tail.ReadAtMost). */
  private static byte[] tail(Path file, int max) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      long size = channel.size();
      int length = (int) Math.min(size, max);
      channel.position(size - length);
      ByteBuffer buffer = ByteBuffer.allocate(length);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // read until full: the file is not written any more, its process has exited
      }
      return java.util.Arrays.copyOf(buffer.array(), buffer.position());
    }
  }
}
