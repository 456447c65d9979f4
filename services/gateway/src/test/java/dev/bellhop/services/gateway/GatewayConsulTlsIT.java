package dev.bellhop.services.gateway;

import static dev.bellhop.services.gateway.GatewayTestSupport.post;
import static dev.bellhop.services.gateway.GatewayTestSupport.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.testkit.consul.ConsulBinary;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway reads Consul over HTTPS as the chart wires it (issue #16): the server is reached by
 * an address its certificate does not name, so the gateway verifies the name {@code
 * CONSUL_TLS_SERVER_NAME} gives, {@code server.<dc>.consul}, which only servers' certificates
 * carry. Certificates from {@code consul tls}, Consul real.
 */
class GatewayConsulTlsIT {
  @TempDir static Path certs;
  static TestConsulCluster consul;
  static Vertx vertx;
  static Backend backend;

  @BeforeAll
  static void start() throws Exception {
    ConsulBinary.tls(certs, "ca", "create");
    ConsulBinary.tls(certs, "cert", "create", "-server", "-dc", "dc1");
    consul =
        TestConsulCluster.builder()
            .servers(1)
            // A second config source: the kit's file has its own ports block.
            .nodeArgs(node -> List.of("-hcl=ports { https = 8501 }"))
            .extraConfig(
                String.format(
                    """
                    ca_file = "%1$s/consul-agent-ca.pem"
                    cert_file = "%1$s/dc1-server-consul-0.pem"
                    key_file = "%1$s/dc1-server-consul-0-key.pem"
                    verify_incoming = false
                    """,
                    certs))
            .start();
    vertx = Vertx.vertx();
    backend = Backend.start(vertx, "tls-1");
    register(consul, "secured", "tls-1", backend.port(), "passing");
  }

  @AfterAll
  static void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (consul != null) {
      consul.close();
    }
  }

  @Test
  void theServersNameIsVerifiedWhereItsAddressCannotBe() throws Exception {
    Gateway gateway = gateway("server.dc1.consul");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> post(gateway.port(), "/secured/call", "{}").status() == 200);
    stop(gateway);
  }

  @Test
  void aCertificateWithoutTheNameIsRefused() throws Exception {
    for (String name : new String[] {null, "server.dc2.consul"}) {
      Gateway gateway = gateway(name);
      // Three watch attempts, each refused at its TLS handshake (the name verified above routed
      // after its first): the gateway has had its chances to read the catalog.
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> GatewayTestSupport.consulErrors(gateway) >= 3);
      assertThat(gateway.server().isReady())
          .as("ready (catalog read) verifying %s", name == null ? "the address" : name)
          .isFalse();
      assertThat(post(gateway.port(), "/secured/call", "{}").status()).isNotEqualTo(200);
      stop(gateway);
    }
  }

  private static Gateway gateway(String serverName) throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("CONSUL_CACERT", certs.resolve("consul-agent-ca.pem").toString());
    if (serverName != null) {
      env.put("CONSUL_TLS_SERVER_NAME", serverName);
    }
    return GatewayTestSupport.startGateway(
        vertx, "https://" + consul.servers().get(0).address() + ":8501", env);
  }

  private static void stop(Gateway gateway) throws Exception {
    gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
