package dev.bellhop.localcluster.apiserver.logs;

import dev.bellhop.localcluster.apiserver.ApiRequest.Sink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Serves one container log file as the kubelet does for {@code pods/log}: sinceSeconds/sinceTime,
 * tailLines, timestamps and limitBytes over the lines written so far; with follow it goes on with
 * each line as it is written, until the run ends (the file is rotated away at a restart or deleted
 * with the pod), the byte limit is reached or the client goes.
 */
public final class PodLogReader {
  private PodLogReader() {}

  public static void copy(Path file, PodLogOptions options, Sink sink) throws IOException {
    long[] left = {options.limitBytes() == null ? Long.MAX_VALUE : options.limitBytes()};
    Deque<LogLine> tail = new ArrayDeque<>();
    Object fileKey;
    long offset;
    try (InputStream in = Files.newInputStream(file)) {
      fileKey =
          Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      Counting counting = new Counting(in);
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(counting, StandardCharsets.UTF_8));
      String raw;
      long complete = 0;
      while ((raw = reader.readLine()) != null) {
        LogLine line = LogLine.parse(raw);
        if (line != null && (options.since() == null || !line.time().isBefore(options.since()))) {
          tail.addLast(line);
          if (options.tailLines() != null && tail.size() > options.tailLines()) {
            tail.removeFirst();
          }
        }
        complete += raw.getBytes(StandardCharsets.UTF_8).length + 1;
      }
      // A follow resumes after the last whole line: the writer may be half-way through the next.
      offset = Math.min(complete, counting.count);
    }
    for (LogLine line : tail) {
      if (!emit(line, options, sink, left)) {
        return;
      }
    }
    if (options.follow()) {
      follow(file, fileKey, offset, options, sink, left);
    }
  }

  private static void follow(
      Path file, Object fileKey, long offset, PodLogOptions options, Sink sink, long[] left)
      throws IOException {
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      file.getParent()
          .register(
              watch,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_DELETE);
      long position = offset;
      StringBuilder pending = new StringBuilder();
      while (true) {
        try (var channel = Files.newByteChannel(file)) {
          if (!Objects.equals(
              fileKey,
              Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                  .fileKey())) {
            return; // a new run's file: this run has ended
          }
          channel.position(position);
          java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8192);
          int n;
          while ((n = channel.read(buffer)) > 0) {
            position += n;
            pending.append(new String(buffer.array(), 0, n, StandardCharsets.UTF_8));
            buffer.clear();
          }
        } catch (NoSuchFileException e) {
          return; // the pod is gone
        }
        int newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
          LogLine line = LogLine.parse(pending.substring(0, newline));
          pending.delete(0, newline + 1);
          if (line != null && !emit(line, options, sink, left)) {
            return;
          }
        }
        // Woken by the next write; the timeout also notices a client that left while the log was
        // quiet.
        var key = watch.poll(1, TimeUnit.SECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        } else if (!sink.write(new byte[0])) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ClosedWatchServiceException e) {
      // the server is stopping
    }
  }

  private static boolean emit(LogLine line, PodLogOptions options, Sink sink, long[] left) {
    if (left[0] <= 0) {
      return false;
    }
    byte[] bytes = line.render(options.timestamps());
    if (bytes.length > left[0]) {
      bytes = java.util.Arrays.copyOf(bytes, (int) left[0]);
    }
    left[0] -= bytes.length;
    return sink.write(bytes) && left[0] > 0;
  }

  /** Counts the bytes read from the file. */
  private static final class Counting extends java.io.FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b >= 0 ? 1 : 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count += Math.max(0, n);
      return n;
    }
  }
}
