package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceLauncher;
import io.vertx.core.VertxOptions;

/**
 * {@code java -jar gateway.jar}: the public entry point on port 8080. Uses Netty's native epoll
 * transport (bundled) when the platform has it, NIO otherwise; {@code GATEWAY_NATIVE_TRANSPORT=false}
 * turns it off.
 */
public final class GatewayMain {
  public static final int DEFAULT_PORT = 8080;

  private GatewayMain() {}

  public static void main(String[] args) {
    boolean nativeTransport = !"false".equalsIgnoreCase(System.getenv("GATEWAY_NATIVE_TRANSPORT"));
    ServiceLauncher.run("gateway", DEFAULT_PORT, new VertxOptions().setPreferNativeTransport(nativeTransport),
        (vertx, config) -> Gateway.start(vertx, config).map(Gateway::server));
  }
}
