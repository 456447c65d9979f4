package dev.bellhop.services.common.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The request timers of one method or upstream, one per HTTP status, held by their user so that
 * recording a request builds and hashes no meter key (the gateway's hot path measured it). Every
 * Bellhop request histogram has the same buckets, 1 ms to 5 s.
 */
public final class StatusTimers {
  private static final int STATUS_CODES = 1000;
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
    Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)
  };

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final String tag;
  private final String value;
  private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(STATUS_CODES);

  /** Timers {@code name{tag=value, code=<status>}}. */
  public StatusTimers(
      MeterRegistry registry, String name, String description, String tag, String value) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.tag = tag;
    this.value = value;
  }

  /**
   * The timers of every value of one tag (each method, each upstream), made on first use. A value
   * seen before is found with a plain read, without {@code computeIfAbsent}'s lock.
   */
  public static final class PerValue {
    private final Map<String, StatusTimers> timers = new ConcurrentHashMap<>();
    private final Function<String, StatusTimers> create;

    /** Timers {@code name{tag=<value>, code=<status>}}. */
    public PerValue(MeterRegistry registry, String name, String description, String tag) {
      this.create = value -> new StatusTimers(registry, name, description, tag, value);
    }

    public StatusTimers of(String value) {
      StatusTimers found = timers.get(value);
      return found != null ? found : timers.computeIfAbsent(value, create);
    }
  }

  public void record(int status, long nanos) {
    timer(status).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(int status) {
    if (status < 0 || status >= STATUS_CODES) {
      return newTimer(status);
    }
    Timer timer = byStatus.get(status);
    if (timer == null) {
      timer = newTimer(status); // the registry hands out one meter per id, so a race is harmless
      byStatus.set(status, timer);
    }
    return timer;
  }

  private Timer newTimer(int status) {
    return Timer.builder(name)
        .description(description)
        .tag(tag, value)
        .tag("code", Integer.toString(status))
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }
}
