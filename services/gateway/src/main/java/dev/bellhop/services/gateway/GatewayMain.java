package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceLauncher;
import io.vertx.core.VertxOptions;

/**
 * {@code java -jar gateway.jar}: the public entry point on port 8080. Uses Netty's native epoll
 * transport (bundled) when the platform has it, NIO otherwise; {@code
 * GATEWAY_NATIVE_TRANSPORT=false} turns it off.
 */
public final class GatewayMain {
  public static final int DEFAULT_PORT = 8080;

  private GatewayMain() {}

  /**
   * Throughput settings a proxy can afford (the ones Vert.x's own benchmarks use), applied unless
   * given with {@code -D}: no per-task context timings or TCCL switching, no Netty buffer bounds
   * and accessibility checks on the hot path, no leak-detection sampling, no h2c/WebSocket upgrade
   * checks.
   */
  static final String[][] TUNING = {
    {"vertx.disableContextTimings", "true"},
    {"vertx.disableTCCL", "true"},
    {"vertx.disableH2c", "true"},
    {"vertx.disableWebsockets", "true"},
    {"io.netty.buffer.checkBounds", "false"},
    {"io.netty.buffer.checkAccessible", "false"},
    {"io.netty.leakDetection.level", "disabled"},
  };

  public static void main(String[] args) {
    for (String[] setting : TUNING) {
      if (System.getProperty(setting[0]) == null) {
        System.setProperty(setting[0], setting[1]);
      }
    }
    boolean nativeTransport = !"false".equalsIgnoreCase(System.getenv("GATEWAY_NATIVE_TRANSPORT"));
    ServiceLauncher.run(
        "gateway",
        DEFAULT_PORT,
        new VertxOptions().setPreferNativeTransport(nativeTransport),
        (vertx, config) -> Gateway.start(vertx, config).map(Gateway::server));
  }
}
