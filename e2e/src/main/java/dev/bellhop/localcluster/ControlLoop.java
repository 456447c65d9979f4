package dev.bellhop.localcluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a level-triggered pass on its own thread: after any event (coalesced, so a burst of events
 * makes one pass) and at a fixed period as a safety net.
 */
final class ControlLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

  private final String name;
  private final Runnable pass;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean pending = new AtomicBoolean();

  ControlLoop(String name, Runnable pass, long periodMillis) {
    this.name = name;
    this.pass = pass;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(this::trigger, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  void trigger() {
    if (pending.compareAndSet(false, true)) {
      thread.schedule(this::run, 20, TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    pending.set(false);
    try {
      pass.run();
    } catch (RuntimeException e) {
      log.atWarn()
          .addKeyValue("loop", name)
          .addKeyValue("error", String.valueOf(e.getMessage()))
          .setCause(e)
          .log("pass failed; retried on the next event");
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
