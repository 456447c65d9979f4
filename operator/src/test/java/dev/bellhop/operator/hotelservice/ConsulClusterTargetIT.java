package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.RunningOperator;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code spec.consul.cluster}: a HotelService registers into the Consul its ConsulCluster runs,
 * waits with a clear condition while that cluster is missing, and falls back to CONSUL_HTTP_ADDR
 * only when it names none and its namespace has no ConsulCluster {@code consul}.
 */
class ConsulClusterTargetIT {
  /** The operator-wide fallback (CONSUL_HTTP_ADDR). */
  @RegisterExtension static final ConsulClusterExtension FALLBACK = new ConsulClusterExtension(1);

  /** The Consul a ConsulCluster's server pods run. */
  @RegisterExtension
  static final ConsulClusterExtension PROVISIONED = new ConsulClusterExtension(1);

  static RunningOperator running;
  static Kube kube;

  @BeforeAll
  static void start() {
    running =
        RunningOperator.start(
            new OperatorConfig(FALLBACK.cluster().httpAddress(), null, "t", Set.of(), -1, null));
    kube = running.kube();
  }

  @AfterAll
  static void stop() {
    RunningOperator.close(running);
  }

  /**
   * A ConsulCluster whose one server pod is Ready at the PROVISIONED Consul's address, as a kubelet
   * would report it.
   */
  private static void consulCluster(String ns, String name) {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName(name);
    cc.getMetadata().setNamespace(ns);
    ConsulClusterSpec spec = new ConsulClusterSpec();
    spec.setServers(1);
    // PROVISIONED is a testkit Consul without ACLs or TLS: no token to bootstrap or wait for, plain
    // HTTP.
    var acl = new ConsulClusterSpec.Acl();
    acl.setEnabled(false);
    spec.setAcl(acl);
    var tls = new ConsulClusterSpec.Tls();
    tls.setEnabled(false);
    spec.setTls(tls);
    cc.setSpec(spec);
    running.client().resources(ConsulCluster.class).resource(cc).create();
    running
        .client()
        .pods()
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name + "-server-0")
                .withNamespace(ns)
                .withLabels(
                    Map.of(
                        "bellhop.dev/consulcluster", name, "app.kubernetes.io/component", "server"))
                .endMetadata()
                .withNewSpec()
                .withNodeName("node-a")
                .addNewContainer()
                .withName("consul")
                .withImage("consul")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withPodIP(PROVISIONED.cluster().servers().get(0).address())
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build())
        .create();
  }

  @Test
  void registersIntoTheNamespacesConsulClusterAndNotTheFallback() {
    consulCluster("east", "consul");
    kube.create(Kube.hotelService("east", "geo", 8082, Map.of("app", "geo")));
    kube.create(Kube.pod("east", "geo-1", Map.of("app", "geo"), "node-a", "10.20.0.1", true));

    var provisioned = new ConsulReader(PROVISIONED.cluster());
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(provisioned.instances("geo")).containsKey("t:east:geo:geo-1:8082"));
    assertThat(new ConsulReader(FALLBACK.cluster()).instances("geo")).isEmpty();
  }

  @Test
  void aNamedClusterThatIsMissingIsReportedAndWaitedFor() {
    var hs = Kube.hotelService("west", "rate", 8084, Map.of("app", "rate"));
    hs.getSpec().getConsul().setCluster("registry");
    kube.create(hs);
    kube.create(Kube.pod("west", "rate-1", Map.of("app", "rate"), "node-a", "10.21.0.1", true));

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              HotelService current = kube.get("west", "rate");
              var registered =
                  Conditions.find(current.getStatus().getConditions(), Conditions.REGISTERED)
                      .orElseThrow();
              assertThat(registered.getStatus()).isEqualTo("False");
              assertThat(registered.getReason()).isEqualTo("ConsulClusterNotReady");
              assertThat(registered.getMessage())
                  .contains("ConsulCluster west/registry does not exist");
            });
    // Never the fallback: the user named a cluster.
    assertThat(new ConsulReader(FALLBACK.cluster()).instances("rate")).isEmpty();

    consulCluster("west", "registry");
    var provisioned = new ConsulReader(PROVISIONED.cluster());
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(provisioned.instances("rate")).containsKey("t:west:rate:rate-1:8084"));
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () ->
                Conditions.isTrue(
                    kube.get("west", "rate").getStatus().getConditions(), Conditions.REGISTERED));
  }

  @Test
  void withoutAConsulClusterItFallsBackToTheOperatorWideAddress() {
    kube.create(Kube.hotelService("plain", "profile", 8083, Map.of("app", "profile")));
    kube.create(
        Kube.pod("plain", "profile-1", Map.of("app", "profile"), "node-a", "10.22.0.1", true));
    var fallback = new ConsulReader(FALLBACK.cluster());
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(fallback.instances("profile"))
                    .containsKey("t:plain:profile:profile-1:8083"));
  }
}
