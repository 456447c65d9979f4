package dev.bellhop.operator;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads for the operator's background work: named for thread dumps, never holding the JVM up. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
