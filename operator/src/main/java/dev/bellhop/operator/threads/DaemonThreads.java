package dev.bellhop.operator.threads;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the operator's background work: named for thread dumps, never holding the JVM up.
 *
 * <p>In a package of its own, below every other: the registration engine uses it, and from the
 * operator's root package it made a cycle (root → hotelservice → registration → root) that kept the
 * engine from becoming a module of its own.
 */
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
