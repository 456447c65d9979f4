package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code POST /[service]/[method]} and {@code POST /rpc}: finds the service's instances in the
 * routing table, forwards the body and headers to one of them as {@code POST /Service.Method}, and
 * hands back its status, headers and body unchanged.
 *
 * <p>The common server hands every request but its health and metrics endpoints straight to this
 * handler, without Vert.x Web's router: one {@link Exchange} carries a call from its first byte to
 * its metrics (the checks, the body), a {@link Forwarding} from the instance's choice to its
 * answer. Every request is handled on the event loop that accepted it, with an HTTP client of that
 * event loop ({@link EventLoopUpstream}: upstream connections never hop threads). A connection
 * failure is retried once on another instance; {@code GATEWAY_TIMEOUT_MS} bounds the whole call
 * (504).
 */
final class ProxyHandler implements Handler<HttpServerRequest> {
  private final Vertx vertx;
  private final GatewaySettings settings;
  private final PathTargets targets = new PathTargets();
  private volatile ProxyContext context;

  ProxyHandler(Vertx vertx, GatewaySettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Once the server (which owns the meter registry) exists, before it listens. */
  void bind(ServiceServer server, RoutingTable table, GatewayMetrics metrics) {
    context =
        new ProxyContext(
            vertx,
            settings,
            server,
            table,
            metrics,
            metrics.requests(GatewayMetrics.UNKNOWN),
            targets);
  }

  /** Every request but the common health and metrics endpoints comes here. */
  @Override
  public void handle(HttpServerRequest request) {
    new Exchange(context, request).precheck();
  }
}
