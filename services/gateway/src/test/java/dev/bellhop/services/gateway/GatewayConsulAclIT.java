package dev.bellhop.services.gateway;

import static dev.bellhop.services.gateway.GatewayTestSupport.post;
import static dev.bellhop.services.gateway.GatewayTestSupport.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACLs with default deny: the gateway reads Consul with its token, and sees nothing without one.
 */
class GatewayConsulAclIT {
  private static final String TOKEN = "7c1d7f8e-9a57-4b8e-8d0f-2a6a4d2b9e31";

  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1).aclDefaultDeny(TOKEN));

  @Test
  void theTokenIsSentAndWithoutItNoServiceIsVisible(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Backend backend = Backend.start(vertx, "secured-1");
      register(CONSUL.cluster(), "secured", "secured-1", backend.port(), "passing");
      Path tokenFile = dir.resolve("token");
      Files.writeString(tokenFile, TOKEN + "\n");

      Gateway withToken =
          GatewayTestSupport.startGateway(
              vertx,
              CONSUL.cluster().httpAddress(),
              Map.of("CONSUL_HTTP_TOKEN_FILE", tokenFile.toString()));
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> post(withToken.port(), "/secured/call", "{}").status() == 200);

      Gateway anonymous =
          GatewayTestSupport.startGateway(vertx, CONSUL.cluster().httpAddress(), Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.server().isReady());
      assertThat(post(anonymous.port(), "/secured/call", "{}").status()).isEqualTo(404);

      withToken.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      anonymous.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      backend.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
