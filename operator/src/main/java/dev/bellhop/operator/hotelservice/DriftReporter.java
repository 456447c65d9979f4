package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.registration.DriftListener;
import dev.bellhop.operator.registration.Owner;
import dev.bellhop.operator.registration.RepairKind;
import dev.bellhop.operator.threads.DaemonThreads;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the engine's repairs look like from Kubernetes: while Consul differs from what a
 * HotelService wants, its {@code Registered} condition says so (reason {@code Drifted}, or {@code
 * ConsulRejected} / {@code ConsulUnavailable} while the repair fails, naming the instance) and
 * {@code registeredEndpoints} counts what Consul was seen to hold; once repaired, both say {@code
 * InSync} again. Each repair is recorded as an Event, bursts aggregated: the first repair of a
 * HotelService in a 10 s window makes its Event at once, the rest of the window's make one Event at
 * its end (200 tamperings in 10 s make ~2 Events per HotelService, not 200; Kubernetes' own event
 * correlator likewise folds similar events).
 */
final class DriftReporter implements DriftListener, AutoCloseable {
  static final Duration EVENT_WINDOW = Duration.ofSeconds(10);

  private final Function<Owner, HotelService> hotelServices;
  private final StatusWriter statusWriter;
  private final KubernetesEvents events;
  private final HotelServiceStatusAggregator statuses;
  private final ScheduledThreadPoolExecutor executor =
      new ScheduledThreadPoolExecutor(1, DaemonThreads.named("hotelservice-repair-events"));
  private final Map<Owner, Window> windows = new ConcurrentHashMap<>();

  DriftReporter(
      Function<Owner, HotelService> hotelServices,
      StatusWriter statusWriter,
      KubernetesEvents events,
      HotelServiceStatusAggregator statuses) {
    this.hotelServices = hotelServices;
    this.statusWriter = statusWriter;
    this.events = events;
    this.statuses = statuses;
  }

  @Override
  public void drifted(Owner owner, Repair repair) {
    String message =
        "Consul differs from what Bellhop wants ("
            + describe(repair.kinds())
            + ", e.g. "
            + repair.instance()
            + "): repairing";
    update(
        owner,
        (status, hs) -> statuses.drifted(status, hs, repair.seenInConsul(), "Drifted", message));
  }

  @Override
  public void repaired(Owner owner, Repair repair) {
    HotelService hs = update(owner, (status, h) -> statuses.inSync(status, h, repair.wanted()));
    if (hs != null) {
      window(owner, hs).add(repair);
    }
  }

  @Override
  public void repairFailed(Owner owner, Repair repair, RuntimeException error) {
    String reason = HotelServiceStatusAggregator.Failure.of(error).reason();
    String message = "Could not repair " + repair.instance() + " in Consul: " + error.getMessage();
    HotelService hs = hotelServices.apply(owner);
    boolean changed =
        hs != null && !HotelServiceStatusAggregator.hasReason(statusWriter.current(hs), reason);
    update(
        owner, (status, h) -> statuses.drifted(status, h, repair.seenInConsul(), reason, message));
    if (changed) {
      executor.execute(() -> events.warning(hs, reason, message));
    }
  }

  /**
   * Sets Registered and the registered count ({@code change}), through the status writer like every
   * status; the HotelService, or null when it is gone or going.
   */
  private HotelService update(Owner owner, BiConsumer<HotelServiceStatus, HotelService> change) {
    HotelService hs = hotelServices.apply(owner);
    if (hs == null || hs.isMarkedForDeletion() || hs.getSpec() == null) {
      return null;
    }
    HotelServiceStatus status = HotelServiceStatusAggregator.copyOf(statusWriter.current(hs));
    change.accept(status, hs);
    statusWriter.submit(hs, status);
    return hs;
  }

  private Window window(Owner owner, HotelService hs) {
    return windows.computeIfAbsent(owner, o -> new Window(o, hs));
  }

  static String describe(Map<RepairKind, Integer> kinds) {
    return kinds.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey().label())
        .collect(Collectors.joining(", "));
  }

  /** One HotelService's repairs since its last Event. */
  private final class Window {
    private final Owner owner;
    private HotelService hs;
    private final Map<RepairKind, Integer> kinds = new EnumMap<>(RepairKind.class);
    private String example;
    private int repairs;
    private long lastEvent;
    private boolean flushPlanned;

    Window(Owner owner, HotelService hs) {
      this.owner = owner;
      this.hs = hs;
    }

    synchronized void add(Repair repair) {
      repair.kinds().forEach((k, n) -> kinds.merge(k, n, Integer::sum));
      example = repair.instance();
      repairs++;
      long now = System.nanoTime();
      if (lastEvent == 0 || now - lastEvent >= EVENT_WINDOW.toNanos()) {
        flush(now);
      } else if (!flushPlanned) {
        flushPlanned = true;
        long delay = lastEvent + EVENT_WINDOW.toNanos() - now;
        executor.schedule(
            () -> {
              synchronized (this) {
                flushPlanned = false;
                flush(System.nanoTime());
              }
            },
            delay,
            TimeUnit.NANOSECONDS);
      }
    }

    /** Records the Event for what accumulated; called holding this. */
    private void flush(long now) {
      if (repairs == 0) {
        return;
      }
      String message =
          (repairs == 1 ? "Repaired in Consul: " : "Repaired in Consul (" + repairs + " repairs): ")
              + describe(kinds)
              + ", e.g. "
              + example;
      HotelService about = hotelServices.apply(owner);
      HotelService target = about != null ? about : hs;
      executor.execute(() -> events.normal(target, "Repaired", message));
      kinds.clear();
      repairs = 0;
      lastEvent = now;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
