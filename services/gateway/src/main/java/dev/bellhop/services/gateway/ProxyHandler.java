package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /[service]/[method]} and {@code POST /rpc}: finds the service's instances in the
 * routing table, forwards the body and headers to one of them as {@code POST /Service.Method},
 * and hands back its status, headers and body unchanged.
 *
 * <p>The common server hands every request but its health and metrics endpoints straight to this
 * handler, without Vert.x Web's router: one {@link Exchange} carries a call from its first byte to
 * its metrics (the checks, the body), a {@link Forwarding} from the instance's choice to its
 * answer. Every request is handled on the event loop that accepted it, with an HTTP client of that
 * event loop ({@link EventLoopUpstream}: upstream connections never hop threads). A connection
 * failure is retried once on another instance; {@code GATEWAY_TIMEOUT_MS} bounds the whole call (504).
 */
final class ProxyHandler implements Handler<HttpServerRequest> {
  /** Mapped paths, so a hot path is parsed once; bounded, as clients choose the paths. */
  private static final int MAX_CACHED_TARGETS = 4096;

  private final Vertx vertx;
  private final GatewaySettings settings;
  private final Map<String, PathMapping.Target> targets = new ConcurrentHashMap<>();
  // Bound once the server (which owns the meter registry) exists, before it listens.
  private volatile ServiceServer server;
  private volatile RoutingTable table;
  private volatile GatewayMetrics metrics;
  private volatile GatewayMetrics.Requests unknown;

  ProxyHandler(Vertx vertx, GatewaySettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  void bind(ServiceServer server, RoutingTable table, GatewayMetrics metrics) {
    this.server = server;
    this.table = table;
    this.metrics = metrics;
    this.unknown = metrics.requests(GatewayMetrics.UNKNOWN);
  }

  /** Every request but the common health and metrics endpoints comes here. */
  @Override
  public void handle(HttpServerRequest request) {
    new Exchange(this, request).precheck();
  }

  /** The (normalized, as Vert.x Web would) path's target; {@code null} when it names none. */
  PathMapping.Target target(String path) {
    PathMapping.Target target = targets.get(path);
    if (target == null) {
      target = PathMapping.map(path);
      if (target != null && targets.size() < MAX_CACHED_TARGETS) {
        targets.put(path, target);
      }
    }
    return target;
  }

  Vertx vertx() {
    return vertx;
  }

  GatewaySettings settings() {
    return settings;
  }

  ServiceServer server() {
    return server;
  }

  RoutingTable table() {
    return table;
  }

  GatewayMetrics metrics() {
    return metrics;
  }

  /** The timers of calls that reach no known service. */
  GatewayMetrics.Requests unknown() {
    return unknown;
  }
}
