package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.registration.Owner;
import dev.bellhop.operator.threads.DaemonThreads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes HotelService status off the reconcile path. Reconciles of one resource run one at a time,
 * so a status write inside the reconcile held up the next pod event's Consul write (the event
 * latency tail). The reconciler hands in the status it wants; this writes it from its own threads:
 * a change of conditions (or observed generation) at once, a change of endpoint counts alone at
 * most once per interval per HotelService. The newest status always wins, and writes of one
 * HotelService never overlap, so an older status never lands after a newer one.
 *
 * <p>Each write replaces the whole status through the status subresource (a JSON Patch; no
 * server-side apply, no resourceVersion: Bellhop is the only writer of this status). A failed write
 * is retried after the interval; a HotelService that is gone is forgotten.
 */
final class StatusWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

  private final KubernetesClient client;
  private final long intervalNanos;
  private final ScheduledThreadPoolExecutor executor;
  private final Map<Owner, Entry> entries = new ConcurrentHashMap<>();

  StatusWriter(KubernetesClient client, Duration countsInterval) {
    this.client = client;
    this.intervalNanos = countsInterval.toNanos();
    this.executor = new ScheduledThreadPoolExecutor(2, DaemonThreads.named("hotelservice-status"));
    executor.setRemoveOnCancelPolicy(true);
  }

  /**
   * The status to build the next one on: the newest handed in for this HotelService (written or
   * about to be), else what the resource carries.
   */
  HotelServiceStatus current(HotelService hs) {
    Entry e = entries.get(RegistrationPlanner.owner(hs));
    if (e != null && Objects.equals(e.uid, hs.getMetadata().getUid())) {
      synchronized (e) {
        return e.latest;
      }
    }
    return hs.getStatus();
  }

  /**
   * Hands in the status {@code hs} should have. Returns at once; the write follows on this writer's
   * threads.
   */
  void submit(HotelService hs, HotelServiceStatus status) {
    Owner key = RegistrationPlanner.owner(hs);
    String uid = hs.getMetadata().getUid();
    Entry e =
        entries.compute(
            key, (k, old) -> old != null && Objects.equals(old.uid, uid) ? old : new Entry(hs));
    synchronized (e) {
      if (status.equals(e.latest)) {
        return;
      }
      e.latest = status;
      schedule(e);
    }
  }

  /** Drops what is pending for a HotelService that is being deleted or is gone. */
  void forget(HotelService hs) {
    Entry e = entries.remove(RegistrationPlanner.owner(hs));
    if (e != null) {
      synchronized (e) {
        e.gone = true;
        if (e.task != null) {
          e.task.cancel(false);
        }
      }
    }
  }

  /**
   * Plans the next write of {@code e}, or brings a planned counts-only write forward when
   * conditions changed.
   */
  private void schedule(Entry e) {
    if (e.running || e.gone) {
      return; // the running write reschedules when it finishes
    }
    if (e.latest.equals(e.written)) {
      if (e.task != null) {
        e.task.cancel(false);
        e.task = null;
      }
      return;
    }
    long delay = 0;
    if (e.lastWrite != 0 && sameConditions(e.latest, e.written)) {
      delay = Math.max(0, e.lastWrite + intervalNanos - System.nanoTime());
    }
    if (e.task != null) {
      if (e.task.getDelay(TimeUnit.NANOSECONDS) <= delay) {
        return; // already planned for no later than that
      }
      e.task.cancel(false);
    }
    e.task = executor.schedule(() -> write(e), delay, TimeUnit.NANOSECONDS);
  }

  private void write(Entry e) {
    HotelServiceStatus target;
    synchronized (e) {
      e.task = null;
      if (e.gone || e.latest.equals(e.written)) {
        return;
      }
      e.running = true;
      target = e.latest;
    }
    boolean ok = false;
    try {
      // JSON Patch "add" of the whole status: sets it, or replaces it with its lists as they are
      // (no merging of conditions, which fabric8's mock does with a merge patch).
      client
          .resources(HotelService.class)
          .inNamespace(e.owner.namespace())
          .withName(e.owner.name())
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON),
              Serialization.asJson(
                  List.of(Map.of("op", "add", "path", "/status", "value", target))));
      ok = true;
    } catch (KubernetesClientException ex) {
      if (ex.getCode() == 404) {
        entries.remove(e.owner, e);
        synchronized (e) {
          e.gone = true;
          e.running = false;
        }
        return;
      }
      LOG.atWarn()
          .addKeyValue("hotelservice", e.owner)
          .addKeyValue("error", ex.getMessage())
          .log("status write failed, retrying");
    } catch (RuntimeException ex) {
      LOG.atWarn()
          .addKeyValue("hotelservice", e.owner)
          .addKeyValue("error", ex.toString())
          .log("status write failed, retrying");
    }
    synchronized (e) {
      e.running = false;
      e.lastWrite = System.nanoTime();
      if (ok) {
        e.written = target;
        schedule(e);
      } else if (!e.gone && !executor.isShutdown()) {
        e.task = executor.schedule(() -> write(e), intervalNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Same observed generation and the same conditions (type, status, reason): only counts or
   * messages differ.
   */
  static boolean sameConditions(HotelServiceStatus next, HotelServiceStatus current) {
    if (current == null
        || !Objects.equals(next.getObservedGeneration(), current.getObservedGeneration())
        || next.getConditions().size() != current.getConditions().size()) {
      return false;
    }
    for (var c : next.getConditions()) {
      boolean same =
          Conditions.find(current.getConditions(), c.getType())
              .map(
                  o ->
                      o.getStatus().equals(c.getStatus())
                          && Objects.equals(o.getReason(), c.getReason()))
              .orElse(false);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private static final class Entry {
    final Owner owner;
    final String uid;

    /** The newest status handed in. */
    HotelServiceStatus latest;

    /** What the API server holds, as far as this writer knows. */
    HotelServiceStatus written;

    /** System.nanoTime() of the last write attempt; 0 before the first. */
    long lastWrite;

    ScheduledFuture<?> task;
    boolean running;
    boolean gone;

    Entry(HotelService hs) {
      this.owner = RegistrationPlanner.owner(hs);
      this.uid = hs.getMetadata().getUid();
      this.latest = hs.getStatus();
      this.written = hs.getStatus();
    }
  }
}
