package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway, built on the common {@link ServiceServer} (listeners per event loop, JSON errors,
 * health, Prometheus metrics, graceful stop): its routes forward to Consul-discovered instances.
 * Live at once; ready once Consul's catalog first answered.
 */
public final class Gateway {
  /** The go-micro error id of the gateway's own errors (the Micro API's). */
  public static final String ERROR_ID = "go.micro.api";

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final ServiceServer server;
  private final RoutingTable table;
  private final GatewaySettings settings;

  private Gateway(ServiceServer server, RoutingTable table, GatewaySettings settings) {
    this.server = server;
    this.table = table;
    this.settings = settings;
  }

  public static Future<Gateway> start(Vertx vertx, ServiceConfig config) {
    GatewaySettings settings = GatewaySettings.from(config);
    Context discovery = vertx.getOrCreateContext();
    ConsulClient consul = new ConsulClient(vertx, settings);
    ProxyHandler proxy = new ProxyHandler(vertx, settings);
    ServiceServer server =
        ServiceServer.create(vertx, config, ERROR_ID, proxy)
            .adminOn(settings.adminPort())
            .onConnection(
                connection -> ClientConnections.current(vertx, settings).accepted(connection));
    GatewayMetrics metrics = new GatewayMetrics(server.registry());
    RoutingTable table = new RoutingTable(discovery, consul, settings, metrics);
    proxy.bind(server, table, metrics);
    Gateway gateway = new Gateway(server, table, settings);
    server.whenStopped().onComplete(v -> table.close().compose(x -> consul.close()));
    return server
        .start()
        .map(
            s -> {
              log.atInfo()
                  .addKeyValue("consul", settings.consulAddress())
                  .addKeyValue("balancer", settings.balancing().name().toLowerCase())
                  .addKeyValue("timeoutMs", settings.requestTimeoutMillis())
                  .addKeyValue("nativeTransport", vertx.isNativeTransportEnabled())
                  .log("gateway starting discovery");
              table.start().onSuccess(v -> server.ready());
              return gateway;
            });
  }

  public ServiceServer server() {
    return server;
  }

  public int port() {
    return server.port();
  }

  /** Where {@code /health/*} and {@code /metrics} are served (not on {@link #port()}). */
  public int adminPort() {
    return server.adminPort();
  }

  public GatewaySettings settings() {
    return settings;
  }

  /** Services Consul's catalog lists (0 before Consul first answered). */
  public int knownServices() {
    return table.serviceCount();
  }

  /** Passing instances of the services in use. */
  public int routedInstances() {
    return table.instanceCount();
  }

  /** Graceful stop: drain requests, then stop the Consul watches. */
  public Future<Void> stop() {
    return server.stop();
  }
}
