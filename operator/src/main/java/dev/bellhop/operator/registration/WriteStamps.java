package dev.bellhop.operator.registration;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Which of the engine's own writes a read of Consul may have missed. Per key (a service name, or
 * the synthetic nodes) it counts writes started and writes in flight. A watch takes a stamp when it
 * sends its request, after waiting for writes in flight to finish; its answer may be compared with
 * what the engine believes only if no write of that key started since. Otherwise the answer might
 * predate the engine's own write, and "repairing" it would write again what was just written
 * (Consul's transaction answer carries no index to compare with instead).
 */
final class WriteStamps {
  private static final long QUIET_TIMEOUT_MS = 30_000;

  /** A stamp that never matches: a write was in flight. */
  static final long BUSY = -1;

  private final Map<String, long[]> byKey =
      new HashMap<>(); // {started, in flight, nanoTime of the last end}

  synchronized void begin(Collection<String> keys) {
    for (String key : keys) {
      long[] c = byKey.computeIfAbsent(key, k -> new long[3]);
      c[0]++;
      c[1]++;
    }
  }

  synchronized void end(Collection<String> keys) {
    for (String key : keys) {
      long[] c = byKey.get(key);
      c[1]--;
      c[2] = System.nanoTime();
    }
    notifyAll();
  }

  /**
   * Waits until no write of {@code key} has been in flight for {@code quiet}: a new watch's first
   * read then comes after the burst that made it (a cold start writes a service in several
   * transactions, each of which would wake the watch and cost a read of the whole service).
   */
  synchronized void awaitQuiet(String key, java.time.Duration quiet) throws InterruptedException {
    while (true) {
      long[] c = byKey.get(key);
      if (c == null) {
        return;
      }
      long left =
          c[1] > 0 ? quiet.toMillis() : (c[2] + quiet.toNanos() - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return;
      }
      wait(left);
    }
  }

  /**
   * Waits (up to 30 s) until no write of {@code key} is in flight; the stamp to send a read with.
   */
  synchronized long quiet(String key) throws InterruptedException {
    long deadline = System.currentTimeMillis() + QUIET_TIMEOUT_MS;
    long[] c;
    while ((c = byKey.get(key)) != null && c[1] > 0) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return BUSY;
      }
      wait(left);
    }
    return c == null ? 0 : c[0];
  }

  /** The stamp of {@code key} now, without waiting: {@link #BUSY} while a write is in flight. */
  synchronized long now(String key) {
    long[] c = byKey.get(key);
    return c == null ? 0 : c[1] > 0 ? BUSY : c[0];
  }

  synchronized boolean unchangedSince(String key, long stamp) {
    long[] c = byKey.get(key);
    return stamp != BUSY && (c == null ? 0 : c[0]) == stamp && (c == null || c[1] == 0);
  }
}
