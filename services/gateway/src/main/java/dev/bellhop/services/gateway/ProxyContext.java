package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceServer;
import dev.bellhop.services.common.server.StatusTimers;
import io.vertx.core.Vertx;

/**
 * What every call through the proxy uses, fixed once the server (which owns the meter registry)
 * exists, before it listens.
 *
 * @param unknown the timers of calls that reach no known service, looked up once
 */
record ProxyContext(
    Vertx vertx,
    GatewaySettings settings,
    ServiceServer server,
    RoutingTable table,
    GatewayMetrics metrics,
    StatusTimers unknown,
    PathTargets targets) {}
