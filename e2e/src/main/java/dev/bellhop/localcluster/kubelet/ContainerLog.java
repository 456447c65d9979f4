package dev.bellhop.localcluster.kubelet;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;

/**
 * A container's log as a CRI runtime writes it for the kubelet: one file a run, {@code
 * <container>.log} in the pod's directory, each line {@code <RFC3339Nano> <stdout|stderr> F
 * <text>}; at a restart the last run's file becomes {@code <container>.previous.log} ({@code
 * kubectl logs --previous}). The API server reads these files for {@code pods/log}.
 */
public final class ContainerLog implements AutoCloseable {
  /** kube's RFC3339Nano: nine fraction digits, always, so lines sort and parse alike. */
  public static final DateTimeFormatter TIMESTAMP =
      new java.time.format.DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
          .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
          .appendLiteral('Z')
          .toFormatter()
          .withZone(ZoneOffset.UTC);

  private final OutputStream out;

  /**
   * Streams still being copied: the file closes when the last one ends (the process has exited).
   */
  private final java.util.concurrent.atomic.AtomicInteger pumps =
      new java.util.concurrent.atomic.AtomicInteger();

  private final java.util.concurrent.CountDownLatch closed =
      new java.util.concurrent.CountDownLatch(1);

  private ContainerLog(Path file) throws IOException {
    this.out =
        new BufferedOutputStream(
            Files.newOutputStream(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE));
  }

  public static Path current(Path podDir, String container) {
    return podDir.resolve(container + ".log");
  }

  public static Path previous(Path podDir, String container) {
    return podDir.resolve(container + ".previous.log");
  }

  /** A new run's log: the last run's, if any, is kept as the previous one. */
  static ContainerLog start(Path podDir, String container) throws IOException {
    Path current = current(podDir, container);
    if (Files.exists(current)) {
      Files.move(current, previous(podDir, container), StandardCopyOption.REPLACE_EXISTING);
    }
    return new ContainerLog(current);
  }

  /**
   * Copies the process's stdout and stderr into the log, line by line, each on a daemon thread of
   * its own. Both are counted before either starts: a process that exits at once may end its first
   * stream before the second is started, and the file, closed on the last stream's end, lost the
   * second's lines (a CI run lost a stderr line so).
   */
  void pump(Process process, String name) {
    pumps.addAndGet(2);
    copy(process.getInputStream(), "stdout", "log-" + name + "-stdout");
    copy(process.getErrorStream(), "stderr", "log-" + name + "-stderr");
  }

  private void copy(InputStream in, String stream, String threadName) {
    Thread t =
        new Thread(
            () -> {
              ByteArrayOutputStream line = new ByteArrayOutputStream();
              try (in) {
                int b;
                while ((b = in.read()) >= 0) {
                  if (b == '\n') {
                    write(stream, line);
                  } else {
                    line.write(b);
                  }
                }
                if (line.size() > 0) {
                  write(stream, line);
                }
              } catch (IOException e) {
                // the process or the log is gone: nothing left to copy
              }
              if (pumps.decrementAndGet() == 0) {
                close();
              }
            },
            threadName);
    t.setDaemon(true);
    t.start();
  }

  private synchronized void write(String stream, ByteArrayOutputStream line) throws IOException {
    out.write(
        (TIMESTAMP.format(Instant.now()) + " " + stream + " F ")
            .getBytes(StandardCharsets.US_ASCII));
    line.writeTo(out);
    out.write('\n');
    // Flushed a line at a time: kubectl logs -f shows each line as the process prints it.
    out.flush();
    line.reset();
  }

  /**
   * Waits until the last stream has been copied: the process's last lines may still be in its pipes
   * when its exit is seen. False when the time ran out (a child of the process holds them open).
   */
  boolean awaitClosed(long millis) {
    try {
      return closed.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      // best effort
    }
    closed.countDown();
  }
}
