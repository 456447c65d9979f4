package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceLauncher;

/** {@code java -jar gateway.jar}: the public entry point on port 8080. */
public final class GatewayMain {
  public static final int DEFAULT_PORT = 8080;

  private GatewayMain() {}

  public static void main(String[] args) {
    ServiceLauncher.run("gateway", DEFAULT_PORT, (vertx, config) -> Gateway.start(vertx, config).map(Gateway::server));
  }
}
