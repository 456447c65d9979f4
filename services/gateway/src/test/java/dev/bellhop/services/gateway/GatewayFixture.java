package dev.bellhop.services.gateway;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A started gateway on a Vert.x of its own, and the backends a test class starts beside it on
 * another: the set-up the gateway's integration tests share, closed once per class.
 */
final class GatewayFixture implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final Vertx gatewayVertx = Vertx.vertx();
  final Gateway gateway;
  private final List<Backend> backends = new ArrayList<>();

  private GatewayFixture(String consulAddress, Map<String, String> env) throws Exception {
    gateway = GatewayTestSupport.startGateway(gatewayVertx, consulAddress, env);
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().isReady());
  }

  /** A ready gateway discovering through {@code consulAddress}, with {@code env} on top. */
  static GatewayFixture start(String consulAddress, Map<String, String> env) throws Exception {
    return new GatewayFixture(consulAddress, env);
  }

  /** A backend closed with the fixture. */
  Backend backend(String name) throws Exception {
    Backend backend = Backend.start(vertx, name);
    backends.add(backend);
    return backend;
  }

  @Override
  public void close() throws Exception {
    gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    for (Backend backend : backends) {
      backend.close();
    }
    gatewayVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
