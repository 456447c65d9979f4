package dev.bellhop.services.gateway;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One passing instance of a service as Consul lists it, with the balancer's and the outlier
 * detector's state. The state survives routing-table updates (matched by {@link #key()}).
 */
final class Instance {
  final String id;
  final String host;
  final int port;
  final String key;

  /** Requests sent and not yet answered (least-outstanding balancing). */
  final AtomicInteger outstanding = new AtomicInteger();

  /** Failures (connection, timeout, 5xx) in a row since the last success. */
  final AtomicInteger consecutiveFailures = new AtomicInteger();

  /** {@link System#nanoTime()} until which this instance gets no traffic; 0 when not ejected. */
  volatile long ejectedUntilNanos;

  /** Ejections in a row (each one lasts longer); reset by a success after an ejection. */
  volatile int ejections;

  Instance(String id, String host, int port) {
    this.id = id;
    this.host = host;
    this.port = port;
    this.key = host + ":" + port;
  }

  boolean ejected(long nowNanos) {
    long until = ejectedUntilNanos;
    return until != 0 && nowNanos - until < 0;
  }

  @Override
  public String toString() {
    return id + "@" + key;
  }
}
