package dev.bellhop.services.gateway;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.ArrayDeque;

/**
 * What each event loop keeps: its HTTP client to the instances (connections never hop threads) and
 * the deadlines of its calls. Every call has the same timeout, so deadlines expire in arrival
 * order: a FIFO queue checked every few milliseconds replaces a timer per request.
 */
final class EventLoopUpstream {
  private static final String KEY = "bellhop.gateway.loop";

  final HttpClient client;

  /** Small entries, emptied when their call completes, so a slow call holds no finished ones. */
  private final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();

  /** A call's deadline; {@link #cancel()} once it completed. */
  static final class Deadline {
    private Forwarding call;
    private final long atNanos;

    private Deadline(Forwarding call, long atNanos) {
      this.call = call;
      this.atNanos = atNanos;
    }

    void cancel() {
      call = null;
    }
  }

  private EventLoopUpstream(Vertx vertx, Context context, GatewaySettings settings) {
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) settings.connectTimeoutMillis())
                .setName("gateway-upstream"),
            new PoolOptions()
                .setHttp1MaxSize(settings.maxConnectionsPerInstance())
                .setMaxWaitQueueSize(-1));
    long tick = Math.max(1, Math.min(20, settings.requestTimeoutMillis() / 20));
    context.runOnContext(v -> vertx.setPeriodic(tick, id -> expire()));
  }

  /** The current event loop's (created on its first call). */
  static EventLoopUpstream current(Vertx vertx, GatewaySettings settings) {
    Context context = Vertx.currentContext();
    EventLoopUpstream loop = context.get(KEY);
    if (loop == null) {
      loop = new EventLoopUpstream(vertx, context, settings);
      context.put(KEY, loop);
    }
    return loop;
  }

  Deadline track(Forwarding call, long atNanos) {
    Deadline deadline = new Deadline(call, atNanos);
    deadlines.addLast(deadline);
    return deadline;
  }

  private void expire() {
    long now = System.nanoTime();
    Deadline head;
    while ((head = deadlines.peekFirst()) != null
        && (head.call == null || now - head.atNanos >= 0)) {
      deadlines.pollFirst();
      Forwarding call = head.call;
      if (call != null && !call.done()) {
        call.timedOut();
      }
    }
  }
}
