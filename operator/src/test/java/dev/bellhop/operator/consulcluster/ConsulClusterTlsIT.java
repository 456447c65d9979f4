package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.registration.ConsulCatalog;
import dev.bellhop.operator.registration.ConsulTransport;
import dev.bellhop.operator.snapshot.SnapshotCommand;
import dev.bellhop.operator.testing.RunningOperator;
import dev.bellhop.testkit.consul.ConsulBinary;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against real Consul: certificates made by {@code consul tls} put into a Secret, the
 * operator's rendered TLS configuration run by three servers (raft over verified TLS), and the
 * operator and {@link ConsulEndpoints} reaching the HTTPS API by pod IP with the cluster's CA.
 */
class ConsulClusterTlsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NS = "tls";

  @TempDir static Path certs;
  static RunningOperator running;
  static KubernetesClient client;
  static TestConsulCluster consul;
  static String caPem;

  @BeforeAll
  static void start() throws Exception {
    ConsulBinary.tls(certs, "ca", "create");
    ConsulBinary.tls(certs, "cert", "create", "-server", "-dc", "dc1");
    caPem = Files.readString(certs.resolve("consul-agent-ca.pem"));
    running =
        RunningOperator.start(new OperatorConfig("127.0.0.1:1", null, "test", Set.of(), -1, null));
    client = running.client();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("consul-certs")
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("ca.crt", b64(caPem))
                .addToData(
                    "tls.crt", b64(Files.readString(certs.resolve("dc1-server-consul-0.pem"))))
                .addToData(
                    "tls.key", b64(Files.readString(certs.resolve("dc1-server-consul-0-key.pem"))))
                .build())
        .create();
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace(NS);
    ConsulClusterSpec spec = new ConsulClusterSpec();
    var tls = new ConsulClusterSpec.Tls();
    tls.setEnabled(true);
    tls.setSecretName("consul-certs");
    spec.setTls(tls);
    cc.setSpec(spec);
    client.resource(cc).create();
    consul =
        RenderedConsul.start(
            client,
            NS,
            "consul",
            Map.of(
                ConsulClusterResources.TLS_DIR + "/ca.crt",
                    certs.resolve("consul-agent-ca.pem").toString(),
                ConsulClusterResources.TLS_DIR + "/tls.crt",
                    certs.resolve("dc1-server-consul-0.pem").toString(),
                ConsulClusterResources.TLS_DIR + "/tls.key",
                    certs.resolve("dc1-server-consul-0-key.pem").toString()));
  }

  @AfterAll
  static void stop() {
    RenderedConsul.close(consul);
    RunningOperator.close(running);
  }

  @Test
  void theOperatorReachesTheHttpsApiWithTheClustersCa() throws Exception {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var status =
                  client
                      .resources(ConsulCluster.class)
                      .inNamespace(NS)
                      .withName("consul")
                      .get()
                      .getStatus();
              assertThat(status.getPeers()).as("status %s", status.getConditions()).hasSize(3);
              assertThat(status.getLeader()).isNotEmpty();
              assertThat(Conditions.isTrue(status.getConditions(), Conditions.READY)).isTrue();
            });
    ConsulEndpoint endpoint = new ConsulEndpoints(client).resolve(NS, "consul").orElseThrow();
    assertThat(endpoint.httpAddresses())
        .containsExactlyInAnyOrderElementsOf(
            consul.servers().stream().map(s -> "https://" + s.address() + ":8501").toList());
    assertThat(endpoint.caCertPem()).isEqualTo(caPem);
    // ACLs are on by default: bootstrapped over HTTPS, the operator's token in its Secret.
    assertThat(endpoint.token()).isNotBlank();

    var leader =
        new ConsulHttp()
            .send(
                "GET",
                endpoint.httpAddresses().get(0) + "/v1/status/leader",
                null,
                endpoint.caCertPem(),
                null);
    assertThat(leader.status()).isEqualTo(200);
    assertThat(leader.body()).contains(":8300");
    // The registration engine reaches the same servers over the same transport and trust.
    var catalog =
        new ConsulCatalog(
            endpoint.httpAddresses(),
            endpoint.token(),
            ConsulTransport.trusting(endpoint.caCertPem()),
            "tls");
    try {
      assertThat(catalog.readOwned().registrations()).isEmpty();
      assertThat(catalog.requests()).isGreaterThan(0);
    } finally {
      catalog.close();
    }
    // What a snapshot Job and a restore Job run, over HTTPS with the CA and the management token
    // mounted as SnapshotJobs mounts them (issue #17: snapshots work with ACLs and TLS on).
    Path claim = Files.createDirectories(certs.resolve("claim"));
    Files.writeString(claim.resolve("ca.crt"), caPem);
    Files.writeString(
        claim.resolve("token"),
        ConsulClusterResources.secretValue(
            client.secrets().inNamespace(NS).withName("consul-acl-bootstrap").get(), "token"));
    String[] common = {
      "--consul=" + endpoint.httpAddresses().get(0),
      "--token-file=" + claim.resolve("token"),
      "--ca-file=" + claim.resolve("ca.crt"),
      "--report=" + claim.resolve("report")
    };
    assertThat(snapshot("save", common, "--dir=" + claim, "--cluster=consul"))
        .as(Files.readString(claim.resolve("report")))
        .isZero();
    String file = JSON.readTree(Files.readString(claim.resolve("report"))).path("file").asText();
    assertThat(snapshot("restore", common, "--file=" + claim.resolve(file)))
        .as(Files.readString(claim.resolve("report")))
        .isZero();
    // Without the cluster's CA the certificate is not trusted.
    HttpClient untrusting = HttpClient.newHttpClient();
    assertThatThrownBy(
            () ->
                untrusting.send(
                    HttpRequest.newBuilder(
                            URI.create(endpoint.httpAddresses().get(0) + "/v1/status/leader"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  private static int snapshot(String verb, String[] common, String... flags) {
    var args = new java.util.ArrayList<>(java.util.List.of("snapshot", verb));
    args.addAll(java.util.List.of(common));
    args.addAll(java.util.List.of(flags));
    return SnapshotCommand.run(args.toArray(String[]::new));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes());
  }
}
