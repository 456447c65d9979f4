package dev.bellhop.operator.registration;

import dev.bellhop.operator.threads.DaemonThreads;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches what the engine owns in one Consul, with blocking queries, and hands every answer to the
 * engine to compare and repair: one query per Consul service the engine writes (its instances on
 * the synthetic nodes, checks included: {@code /v1/health/service/<name>?node-meta=...}), one on
 * the synthetic nodes. Each wakes only when its own entries change: a converged system costs one
 * request per watch per 5 minutes. A slow full read-back (default every 5 minutes) is the safety
 * net; it also runs whenever an index goes backwards (a new raft cluster, a restored snapshot), as
 * Consul's documentation prescribes for blocking queries.
 *
 * <p>Why per service and not per synthetic node: the node's own index does not move when a service
 * on it changes, so a node watch must read the node's services and checks (two reads of ~500
 * instances at 10,000 instances on 20 nodes) on every change, where a service watch reads ~100
 * instances, checks joined, in one request. The engine writes per HotelService, which is per
 * service.
 */
final class DriftWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DriftWatch.class);
  static final String NODES = "synthetic nodes";
  private static final long BACKOFF_START_MS = 250;
  private static final long BACKOFF_MAX_MS = 5_000;

  /** A new service watch reads first once the engine has not written the service for this long. */
  private static final Duration FIRST_READ_QUIET = Duration.ofMillis(500);

  private final RegistrationSync engine;
  private final ConsulCatalog consul;
  private final ThreadFactory threads = DaemonThreads.named("consul-watch");
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor scheduler =
      new ScheduledThreadPoolExecutor(1, DaemonThreads.named("consul-drift"));
  private final AtomicBoolean readBackQueued = new AtomicBoolean();
  private final Map<Owner, AtomicInteger> retries = new ConcurrentHashMap<>();
  private volatile boolean closed;

  DriftWatch(RegistrationSync engine, ConsulCatalog consul, Duration readBack) {
    this.engine = engine;
    this.consul = consul;
    scheduler.setRemoveOnCancelPolicy(true);
    if (!readBack.isZero() && !readBack.isNegative()) {
      scheduler.scheduleWithFixedDelay(
          this::readBackNow, readBack.toMillis(), readBack.toMillis(), TimeUnit.MILLISECONDS);
    }
    start(NODES, this::watchNodes);
  }

  /** Makes sure each of these services is watched. */
  void watch(Set<String> services) {
    for (String service : services) {
      if (!watched.contains(service)) {
        start(service, () -> watchService(service));
      }
    }
  }

  private void start(String key, Runnable loop) {
    if (closed || !watched.add(key)) {
      return;
    }
    Thread t =
        threads.newThread(
            () -> {
              try {
                loop.run();
              } finally {
                watched.remove(key);
                // A sync may have wanted the service again while this loop was ending.
                if (!closed && !NODES.equals(key) && engine.wantsService(key)) {
                  start(key, loop);
                }
              }
            });
    t.setName("consul-watch " + key);
    t.start();
  }

  /** Blocks on the service's entries; ends once no owner wants the service any more. */
  private void watchService(String service) {
    long index = 0;
    long backoff = BACKOFF_START_MS;
    try {
      engine.writes().awaitQuiet(service, FIRST_READ_QUIET);
    } catch (InterruptedException e) {
      return;
    }
    while (!closed && engine.wantsService(service)) {
      try {
        long stamp = engine.writes().quiet(service);
        long asked = System.nanoTime();
        ConsulCatalog.ServiceView view = consul.watchService(service, index);
        index = nextIndex(index, view.index(), asked);
        if (!engine.observe(service, view, stamp)) {
          index = 0; // an own write may have been missed: read again at once
        }
        backoff = BACKOFF_START_MS;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        backoff = pause(service, e, backoff);
        index = 0; // after an outage, look at everything afresh
      }
    }
  }

  private void watchNodes() {
    long index = 0;
    long backoff = BACKOFF_START_MS;
    while (!closed) {
      try {
        long stamp = engine.writes().quiet(NODES);
        long asked = System.nanoTime();
        ConsulCatalog.NodesView view = consul.watchNodes(index);
        index = nextIndex(index, view.index(), asked);
        if (!engine.observeNodes(view.nodes(), stamp)) {
          index = 0;
        }
        backoff = BACKOFF_START_MS;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        backoff = pause(NODES, e, backoff);
        index = 0;
      }
    }
  }

  /**
   * Consul's rules for a blocking query's index: one that goes backwards means the data was
   * replaced (re-read everything); one below 1 must not be used to block. And one Consul leaves
   * out: an answer before the wait is over with no newer index means its state store was replaced
   * under the query (a restored snapshot). Consul then answers from the old store, and the next
   * query, blocking on the new one, would sleep until the wait ends; HotelSystemE2EIT's restore
   * left geo's newest instance missing so. Everything is read again at once instead.
   */
  private long nextIndex(long previous, long returned, long askedNanos) {
    if (returned < previous) {
      LOG.atInfo()
          .addKeyValue("was", previous)
          .addKeyValue("now", returned)
          .log("Consul's index went backwards: reading back everything");
      readBackSoon();
      return 0;
    }
    if (previous > 0
        && returned == previous
        && System.nanoTime() - askedNanos < ConsulCatalog.WATCH_WAIT.toNanos()) {
      LOG.atInfo()
          .addKeyValue("index", previous)
          .log(
              "Consul answered early with no change (its state was restored): reading back everything");
      readBackSoon();
      return 0;
    }
    return Math.max(returned, 1);
  }

  private long pause(String key, RuntimeException e, long backoff) {
    if (closed) {
      return backoff;
    }
    LOG.atDebug()
        .addKeyValue("watch", key)
        .addKeyValue("error", e.getMessage())
        .log("Consul watch failed, retrying");
    try {
      Thread.sleep(backoff);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      closed = true;
    }
    return Math.min(backoff * 2, BACKOFF_MAX_MS);
  }

  /** A full read-back, soon, once however many ask. */
  void readBackSoon() {
    if (readBackQueued.compareAndSet(false, true)) {
      submit(
          () -> {
            readBackQueued.set(false);
            readBackNow();
          },
          0);
    }
  }

  private void readBackNow() {
    try {
      engine.readBack();
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("error", e.getMessage()).log("Consul read-back failed, retrying");
      submit(this::readBackSoon, BACKOFF_MAX_MS);
    }
  }

  /**
   * A repair that failed: tried again with backoff (250 ms doubling to 5 s), until one succeeds.
   */
  void retryRepair(Owner owner) {
    int attempt = retries.computeIfAbsent(owner, o -> new AtomicInteger()).getAndIncrement();
    long delay = Math.min(BACKOFF_START_MS << Math.min(attempt, 10), BACKOFF_MAX_MS);
    submit(() -> engine.repair(owner), delay);
  }

  void repairSucceeded(Owner owner) {
    retries.remove(owner);
  }

  private void submit(Runnable task, long delayMs) {
    try {
      scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
  }
}
