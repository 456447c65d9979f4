package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.StatusTimers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing entry of one service: its passing instances (replaced as a whole by the Consul watch;
 * read lock-free by every event loop), the balancer and outlier ejection.
 */
final class ServiceRoute {
  private static final Logger log = LoggerFactory.getLogger(ServiceRoute.class);
  private static final int MAX_EJECTION_MULTIPLIER = 10;

  final String name;

  /** gateway_requests_seconds of this service. */
  final StatusTimers requests;

  private final GatewaySettings settings;
  private final GatewayMetrics metrics;
  private final AtomicInteger next = new AtomicInteger();
  private final Promise<Void> loaded = Promise.promise();
  private volatile List<Instance> instances = List.of();
  private volatile boolean published;
  private volatile long lastUsedNanos = System.nanoTime();
  ConsulWatch watch; // set and used on the discovery context

  ServiceRoute(String name, GatewaySettings settings, GatewayMetrics metrics) {
    this.name = name;
    this.settings = settings;
    this.metrics = metrics;
    this.requests = metrics.requests(name);
  }

  /** Completes once Consul has answered for this service. */
  Future<Void> whenLoaded() {
    return loaded.future();
  }

  boolean isLoaded() {
    return loaded.future().isComplete();
  }

  List<Instance> instances() {
    return instances;
  }

  /** Whether Consul lists a published instance of this service, passing or not. */
  boolean published() {
    return published;
  }

  void touch(long nowNanos) {
    if (nowNanos - lastUsedNanos
        > 1_000_000_000L) { // a write a second at most, not one per request
      lastUsedNanos = nowNanos;
    }
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  /** Replaces the instance list; instances already known keep their counters and ejection. */
  void update(RoutingTable.Instances found) {
    List<Instance> fresh = found.passing();
    published = found.published() > 0;
    Map<String, Instance> known = new HashMap<>();
    for (Instance instance : instances) {
      known.put(instance.id + "|" + instance.key, instance);
    }
    List<Instance> merged = new ArrayList<>(fresh.size());
    for (Instance instance : fresh) {
      Instance old = known.get(instance.id + "|" + instance.key);
      merged.add(old != null ? old : instance);
    }
    int before = instances.size();
    instances = List.copyOf(merged);
    if (before != merged.size() || !loaded.future().isComplete()) {
      log.atInfo()
          .addKeyValue("service", name)
          .addKeyValue("instances", merged.size())
          .log("routing table updated");
    }
    loaded.tryComplete();
  }

  /**
   * Picks an instance other than {@code avoid}: not ejected, fewest requests outstanding (ties and
   * round-robin mode rotate). When every other instance is ejected, ejection is ignored (panic
   * mode, better than failing). {@code null} when there is no other instance.
   */
  Instance pick(Instance avoid) {
    List<Instance> all = instances;
    int n = all.size();
    if (n == 0) {
      return null;
    }
    long now = System.nanoTime();
    int start = Math.floorMod(next.getAndIncrement(), n);
    Instance best = choose(all, n, start, avoid, now, true);
    return best != null ? best : choose(all, n, start, avoid, now, false);
  }

  private Instance choose(
      List<Instance> all, int n, int start, Instance avoid, long now, boolean skipEjected) {
    Instance best = null;
    int bestLoad = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      Instance candidate = all.get((start + i) % n);
      if (candidate == avoid || skipEjected && candidate.ejected(now)) {
        continue;
      }
      if (settings.balancing() == GatewaySettings.Balancing.ROUND_ROBIN) {
        return candidate;
      }
      int load = candidate.outstanding.get();
      if (load < bestLoad) {
        best = candidate;
        bestLoad = load;
        if (load == 0) {
          break;
        }
      }
    }
    return best;
  }

  void succeeded(Instance instance) {
    if (instance.consecutiveFailures.get() != 0) {
      instance.consecutiveFailures.set(0);
    }
    if (instance.ejections != 0 && !instance.ejected(System.nanoTime())) {
      instance.ejections = 0;
    }
  }

  /** A connection failure, a timeout or a 5xx: after enough in a row the instance is ejected. */
  void failed(Instance instance) {
    if (instance.consecutiveFailures.incrementAndGet() < settings.outlierConsecutiveFailures()) {
      return;
    }
    synchronized (instance) {
      long now = System.nanoTime();
      if (instance.ejected(now)
          || instance.consecutiveFailures.get() < settings.outlierConsecutiveFailures()) {
        return;
      }
      instance.consecutiveFailures.set(0);
      int ejections = Math.min(MAX_EJECTION_MULTIPLIER, instance.ejections + 1);
      instance.ejections = ejections;
      long millis = settings.outlierEjectionMillis() * ejections;
      long until = now + TimeUnit.MILLISECONDS.toNanos(millis);
      instance.ejectedUntilNanos = until == 0 ? 1 : until;
      metrics.ejected(name);
      log.atWarn()
          .addKeyValue("service", name)
          .addKeyValue("instance", instance.toString())
          .addKeyValue("ejectMs", millis)
          .log("instance ejected after repeated failures");
    }
  }
}
