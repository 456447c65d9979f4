package dev.bellhop.services.gateway;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Consul blocking query, repeated forever: {@code GET <path>?...&index=N&wait=Ws&stale}.
 * Follows Consul's rules for the index (reset to 0 when it goes backwards, never below 1 once
 * seen), hands every answer whose index moved to {@code onChange}, and on any failure keeps what it
 * had and retries with a backoff (50 ms doubling up to 2 s). Runs on one Vert.x context.
 *
 * <p>{@code stale}: any server (not only the leader) answers, so a leader election does not
 * interrupt the watch, and an agent whose server went away retries on another.
 */
final class ConsulWatch {
  private static final Logger log = LoggerFactory.getLogger(ConsulWatch.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2_000;

  private final Context context;
  private final ConsulClient consul;
  private final String path;
  private final int waitSeconds;
  private final Consumer<Buffer> onChange;
  private final Runnable onError;
  private long index;
  private long backoff = MIN_BACKOFF_MS;
  private boolean failing;
  private boolean stopped;

  ConsulWatch(
      Context context,
      ConsulClient consul,
      String path,
      int waitSeconds,
      Consumer<Buffer> onChange,
      Runnable onError) {
    this.context = context;
    this.consul = consul;
    this.path = path;
    this.waitSeconds = waitSeconds;
    this.onChange = onChange;
    this.onError = onError;
  }

  void start() {
    context.runOnContext(v -> poll());
  }

  /** Stops after the query in flight (its answer is dropped). */
  void stop() {
    context.runOnContext(v -> stopped = true);
  }

  String path() {
    return path;
  }

  private void poll() {
    if (stopped) {
      return;
    }
    String uri =
        path
            + (path.indexOf('?') < 0 ? '?' : '&')
            + "stale&index="
            + index
            + "&wait="
            + waitSeconds
            + "s";
    // Consul adds up to wait/16 of jitter; past that (plus slack) the connection is dead.
    long idle = waitSeconds * 1000L + waitSeconds * 1000L / 16 + 5_000;
    consul
        .get(uri, idle)
        .onComplete(
            ar -> {
              if (stopped) {
                return;
              }
              if (ar.succeeded() && ar.result().status() == 200) {
                ConsulClient.Response response = ar.result();
                long next = response.index();
                boolean changed = next != index || index == 0;
                if (next < index) {
                  next = 0; // the index went backwards (snapshot restore, new cluster): start over
                } else if (next < 1) {
                  next = 1;
                }
                index = next;
                if (failing) {
                  failing = false;
                  log.atInfo().addKeyValue("watch", path).log("Consul answers again");
                }
                backoff = MIN_BACKOFF_MS;
                if (changed) {
                  try {
                    onChange.accept(response.body());
                  } catch (RuntimeException e) {
                    log.atWarn()
                        .addKeyValue("watch", path)
                        .addKeyValue("error", String.valueOf(e.getMessage()))
                        .log("cannot read Consul's answer; keeping the last one");
                  }
                }
                poll();
                return;
              }
              String error =
                  ar.succeeded()
                      ? "HTTP "
                          + ar.result().status()
                          + " "
                          + firstLine(ar.result().body().toString())
                      : String.valueOf(ar.cause().getMessage());
              if (!failing) {
                failing = true;
                log.atWarn()
                    .addKeyValue("watch", path)
                    .addKeyValue("error", error)
                    .log("Consul watch failing; routing on the last known table");
              } else if (log.isDebugEnabled()) {
                log.atDebug()
                    .addKeyValue("watch", path)
                    .addKeyValue("error", error)
                    .log("Consul watch still failing");
              }
              onError.run();
              long delay = backoff;
              backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
              context.owner().setTimer(delay, id -> poll());
            });
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
