package dev.bellhop.services.gateway;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How long a caller may take, per event loop: the connections it accepted and two deadlines.
 *
 * <ul>
 *   <li><b>Reading a request</b> ({@code GATEWAY_REQUEST_READ_TIMEOUT_MS}): from the connection's
 *       accept to the first request's last body byte, and from each later request's head to its
 *       last body byte. A caller that sends its request slowly (slowloris: a byte now and then,
 *       which an idle timeout never sees) is cut off, and with it the body buffer it held (up to
 *       MAX_BODY_BYTES).
 *   <li><b>Keep-alive idle</b> ({@code GATEWAY_IDLE_TIMEOUT_MS}): from a response's end to the next
 *       request's head. Vert.x's public API shows a request once its head is complete, so this also
 *       bounds a later request's head (at most Netty's 8 KiB of headers and 4 KiB of request line).
 * </ul>
 *
 * The time between a request's last byte and its response is the upstream call's ({@code
 * GATEWAY_TIMEOUT_MS}). A request only writes its connection's deadline (no timer, no allocation);
 * every twentieth of the shorter bound (at most a second) the event loop walks its connections and
 * closes those past their deadline.
 */
final class ClientConnections {
  private static final String KEY = "bellhop.gateway.connections";

  /** A client's deadline when it has none (between a request's last byte and its response). */
  private static final long NONE = Long.MIN_VALUE;

  private final long readNanos;
  private final long idleNanos;
  private final Map<HttpConnection, Client> clients = new HashMap<>();

  /** One accepted connection and the deadline it is under. */
  static final class Client {
    private final ClientConnections loop;
    private final HttpConnection connection;
    private long deadlineNanos = NONE;
    private boolean first = true;

    private Client(ClientConnections loop, HttpConnection connection) {
      this.loop = loop;
      this.connection = connection;
    }

    /** A request's head arrived: its body is read under the read deadline. */
    void requestStarted() {
      if (first) {
        first = false; // the accept's read deadline covers the first request's head and body
        return;
      }
      deadlineNanos = System.nanoTime() + loop.readNanos;
    }

    /** The request's last byte arrived: the upstream call is bounded by its own deadline. */
    void requestRead() {
      deadlineNanos = NONE;
    }

    /**
     * The response ended. Its request read to the end: idle until the next request's head. Not
     * (answered before its body came): the read deadline still runs while Vert.x drops the rest.
     */
    void responseEnded(boolean requestRead) {
      if (requestRead) {
        deadlineNanos = System.nanoTime() + loop.idleNanos;
      }
    }
  }

  private ClientConnections(Vertx vertx, GatewaySettings settings) {
    readNanos = TimeUnit.MILLISECONDS.toNanos(settings.requestReadTimeoutMillis());
    idleNanos = TimeUnit.MILLISECONDS.toNanos(settings.idleTimeoutMillis());
    long shortest = Math.min(settings.requestReadTimeoutMillis(), settings.idleTimeoutMillis());
    vertx.setPeriodic(Math.max(10, Math.min(1_000, shortest / 20)), id -> expire());
  }

  /** The current event loop's (created on its first connection). */
  static ClientConnections current(Vertx vertx, GatewaySettings settings) {
    Context context = Vertx.currentContext();
    ClientConnections loop = context.get(KEY);
    if (loop == null) {
      loop = new ClientConnections(vertx, settings);
      context.put(KEY, loop);
    }
    return loop;
  }

  /** A connection was accepted: its first request must be read within the read deadline. */
  void accepted(HttpConnection connection) {
    Client client = new Client(this, connection);
    client.deadlineNanos = System.nanoTime() + readNanos;
    clients.put(connection, client);
    connection.closeHandler(v -> clients.remove(connection));
  }

  /** The client of a connection this event loop accepted; null if none (closed meanwhile). */
  Client of(HttpConnection connection) {
    return clients.get(connection);
  }

  /** Closes the connections past their deadline: a walk over this loop's connections a tick. */
  private void expire() {
    long now = System.nanoTime();
    for (Client client : clients.values()) {
      if (client.deadlineNanos != NONE && now - client.deadlineNanos >= 0) {
        client.deadlineNanos = NONE;
        client.connection.close(); // its close handler removes it, after this walk
      }
    }
  }
}
