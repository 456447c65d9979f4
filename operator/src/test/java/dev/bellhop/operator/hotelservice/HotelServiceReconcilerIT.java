package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.RunningOperator;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator against the mock API server and a real Consul cluster: the pod lifecycle as users
 * see it in Consul.
 */
class HotelServiceReconcilerIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(3).agents(1));

  static RunningOperator running;
  static Kube kube;
  static ConsulReader consul;

  @BeforeAll
  static void start() {
    running =
        RunningOperator.start(
            new OperatorConfig(
                CONSUL.cluster().agents().get(0).httpAddress(), null, "test", Set.of(), 0, null));
    kube = running.kube();
    consul = new ConsulReader(CONSUL.cluster());
  }

  @AfterAll
  static void stop() {
    RunningOperator.close(running);
  }

  private static void awaitConsul(Runnable assertion) {
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(assertion::run);
  }

  @Test
  void readyPodIsRegisteredUnreadyTurnsCriticalTerminatingIsDeregisteredAtOnce() {
    kube.create(Kube.hotelService("life", "geo", 8082, Map.of("app", "geo")));
    var pod =
        kube.create(Kube.pod("life", "geo-1", Map.of("app", "geo"), "node-a", "10.1.0.1", true));
    String id = "test:life:geo:geo-1:8082";

    awaitConsul(() -> assertThat(consul.instances("geo")).containsKey(id));
    var instance = consul.instances("geo").get(id);
    assertThat(instance.status()).isEqualTo("passing");
    assertThat(instance.address()).isEqualTo("10.1.0.1");
    assertThat(instance.port()).isEqualTo(8082);
    assertThat(instance.node()).isEqualTo("bellhop-test-node-a");
    assertThat(instance.meta())
        .containsEntry("managed-by", "bellhop")
        .containsEntry("bellhop-cluster", "test")
        .containsEntry("k8s-namespace", "life")
        .containsEntry("k8s-pod", "geo-1")
        .containsEntry("k8s-pod-uid", pod.getMetadata().getUid())
        .containsEntry("hotelservice", "geo");

    kube.setReady("life", "geo-1", false);
    awaitConsul(() -> assertThat(consul.instances("geo").get(id).status()).isEqualTo("critical"));
    kube.setReady("life", "geo-1", true);
    awaitConsul(() -> assertThat(consul.instances("geo").get(id).status()).isEqualTo("passing"));

    kube.terminate("life", "geo-1");
    awaitConsul(() -> assertThat(consul.instances("geo")).doesNotContainKey(id));
    // Deregistered while the pod still exists and serves: before the kubelet would stop it.
    assertThat(
            kube.client()
                .pods()
                .inNamespace("life")
                .withName("geo-1")
                .get()
                .getMetadata()
                .getDeletionTimestamp())
        .isNotNull();
    kube.finishTermination("life", "geo-1");
  }

  @Test
  void aPodThatWasNeverReadyIsNotRegisteredAndAPodThatVanishesIsDeregistered() {
    kube.create(Kube.hotelService("vanish", "rate", 8084, Map.of("app", "rate")));
    kube.create(
        Kube.pod("vanish", "rate-starting", Map.of("app", "rate"), "node-a", "10.2.0.1", false));
    kube.create(
        Kube.pod("vanish", "rate-ready", Map.of("app", "rate"), "node-b", "10.2.0.2", true));
    awaitConsul(
        () ->
            assertThat(consul.instances("rate"))
                .containsOnlyKeys("test:vanish:rate:rate-ready:8084"));
    awaitConsul(
        () -> assertThat(kube.get("vanish", "rate").getStatus().getReadyEndpoints()).isEqualTo(1));
    assertThat(consul.instances("rate")).doesNotContainKey("test:vanish:rate:rate-starting:8084");

    // Gone without a graceful termination (e.g. its node was lost).
    kube.finishTermination("vanish", "rate-ready");
    kube.client().pods().inNamespace("vanish").withName("rate-ready").withGracePeriod(0).delete();
    awaitConsul(() -> assertThat(consul.instances("rate")).isEmpty());
  }

  @Test
  void deletingTheHotelServiceDeregistersAllItsInstances() {
    var hs = kube.create(Kube.hotelService("del", "profile", 8083, Map.of("app", "profile")));
    for (int i = 0; i < 3; i++) {
      kube.create(
          Kube.pod(
              "del", "profile-" + i, Map.of("app", "profile"), "node-" + i, "10.3.0." + i, true));
    }
    awaitConsul(() -> assertThat(consul.instances("profile")).hasSize(3));
    // The finalizer is written off the reconcile path, after the first registration
    // (FinalizerWriter).
    awaitConsul(
        () -> assertThat(kube.get("del", "profile").getMetadata().getFinalizers()).isNotEmpty());

    kube.client().resource(hs).delete();
    awaitConsul(() -> assertThat(consul.instances("profile")).isEmpty());
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> kube.get("del", "profile") == null);
  }

  @Test
  void statusReportsEndpointsAndConditions() {
    var spec = Kube.hotelService("status", "auth", 8081, Map.of("app", "auth"));
    spec.getSpec().getConsul().setServiceName("auth-v2");
    spec.getSpec().getConsul().setTags(List.of("primary", "v2"));
    spec.getSpec().getConsul().setMeta(Map.of("version", "2"));
    kube.create(spec);
    kube.create(Kube.pod("status", "auth-1", Map.of("app", "auth"), "node-a", "10.4.0.1", true));
    kube.create(Kube.pod("status", "auth-2", Map.of("app", "auth"), "node-a", "10.4.0.2", true));

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              HotelService hs = kube.get("status", "auth");
              assertThat(hs.getStatus()).isNotNull();
              assertThat(hs.getStatus().getReadyEndpoints()).isEqualTo(2);
              assertThat(hs.getStatus().getRegisteredEndpoints()).isEqualTo(2);
              assertThat(hs.getStatus().getConsulService()).isEqualTo("auth-v2");
              assertThat(hs.getStatus().getObservedGeneration())
                  .isEqualTo(hs.getMetadata().getGeneration());
              assertThat(Conditions.isTrue(hs.getStatus().getConditions(), Conditions.READY))
                  .isTrue();
              assertThat(Conditions.isTrue(hs.getStatus().getConditions(), Conditions.REGISTERED))
                  .isTrue();
              assertThat(
                      Conditions.find(hs.getStatus().getConditions(), Conditions.INVALID)
                          .orElseThrow()
                          .getStatus())
                  .isEqualTo("False");
            });
    assertThat(consul.instances("auth-v2").values())
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.tags()).containsExactly("primary", "v2");
              assertThat(i.meta()).containsEntry("version", "2");
            });
  }

  @Test
  void anInvalidHotelServiceGetsAnInvalidConditionNamingTheFieldsAndTheOthersKeepWorking() {
    var bad = Kube.hotelService("invalid", "broken", 70000, Map.of("app", "broken"));
    bad.getSpec().getConsul().setServiceName("not_a_dns_name");
    kube.create(bad);
    kube.create(Kube.hotelService("invalid", "hotel", 8085, Map.of("app", "hotel")));
    kube.create(Kube.pod("invalid", "hotel-1", Map.of("app", "hotel"), "node-a", "10.5.0.1", true));
    kube.create(
        Kube.pod("invalid", "broken-1", Map.of("app", "broken"), "node-a", "10.5.0.2", true));

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var status = kube.get("invalid", "broken").getStatus();
              assertThat(status).isNotNull();
              var invalid =
                  Conditions.find(status.getConditions(), Conditions.INVALID).orElseThrow();
              assertThat(invalid.getStatus()).isEqualTo("True");
              assertThat(invalid.getMessage())
                  .contains("spec.port")
                  .contains("spec.consul.serviceName");
              assertThat(Conditions.isTrue(status.getConditions(), Conditions.READY)).isFalse();
            });
    awaitConsul(
        () -> assertThat(consul.instances("hotel")).containsKey("test:invalid:hotel:hotel-1:8085"));
    assertThat(consul.instances("not_a_dns_name")).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(kube.client().v1().events().inNamespace("invalid").list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo("Invalid");
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("broken");
                        }));

    // Fixing the spec clears the condition and registers the pod.
    kube.edit(
        "invalid",
        "broken",
        hs -> {
          hs.getSpec().setPort(9000);
          hs.getSpec().getConsul().setServiceName("broken");
          return hs;
        });
    awaitConsul(
        () ->
            assertThat(consul.instances("broken"))
                .containsKey("test:invalid:broken:broken-1:9000"));
  }

  /**
   * Issue #16: a HotelService's author acts through the operator, which may read the
   * ConsulCluster's Secrets; the pods it would run may not get the management token.
   */
  @Test
  void aHotelServiceMayNotHandAConsulCredentialToItsPods() {
    ConsulCluster east = new ConsulCluster();
    east.getMetadata().setName("east");
    east.getMetadata().setNamespace("creds");
    east.setSpec(new dev.bellhop.operator.crd.ConsulClusterSpec());
    kube.client().resource(east).create();
    var thief = Kube.hotelService("creds", "thief", 8080, Map.of("app", "thief"));
    thief
        .getSpec()
        .setEnv(
            List.of(
                new EnvVarBuilder()
                    .withName("TOKEN")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("token", "east-acl-bootstrap", false)
                    .endValueFrom()
                    .build()));
    kube.create(thief);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var status = kube.get("creds", "thief").getStatus();
              var invalid =
                  Conditions.find(status.getConditions(), Conditions.INVALID).orElseThrow();
              assertThat(invalid.getStatus()).isEqualTo("True");
              assertThat(invalid.getMessage())
                  .contains("spec.env[0].valueFrom.secretKeyRef")
                  .contains("'east-acl-bootstrap'")
                  .contains("ConsulCluster 'east'");
            });
  }

  @Test
  void anImageGetsAnOwnedDeploymentAndServiceWhosePodsAreRegistered() {
    var hs = Kube.hotelService("managed", "gateway", 8080, null);
    hs.getSpec().setImage("bellhop/gateway:0.1.0");
    hs.getSpec().setReplicas(2L);
    hs.getSpec().setEnv(List.of(new EnvVar("LOG_LEVEL", "debug", null)));
    kube.create(hs);

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Deployment d =
                  kube.client()
                      .apps()
                      .deployments()
                      .inNamespace("managed")
                      .withName("gateway")
                      .get();
              assertThat(d).isNotNull();
              assertThat(d.getSpec().getReplicas()).isEqualTo(2);
              assertThat(d.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(o -> assertThat(o.getKind()).isEqualTo("HotelService"));
              var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
              assertThat(container.getImage()).isEqualTo("bellhop/gateway:0.1.0");
              assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);
              assertThat(container.getEnv())
                  .extracting(EnvVar::getName)
                  .contains("PORT", "LOG_LEVEL");
              assertThat(container.getReadinessProbe().getHttpGet().getPath())
                  .isEqualTo("/health/ready");
              assertThat(container.getStartupProbe().getHttpGet().getPath())
                  .isEqualTo("/health/live");
              assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds())
                  .isEqualTo(2L);
              var svc = kube.client().services().inNamespace("managed").withName("gateway").get();
              assertThat(svc).isNotNull();
              assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
              assertThat(svc.getSpec().getSelector())
                  .isEqualTo(d.getSpec().getSelector().getMatchLabels());
            });

    // The "kubelet" starts the Deployment's pods with its template labels.
    var labels =
        kube.client()
            .apps()
            .deployments()
            .inNamespace("managed")
            .withName("gateway")
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();
    kube.create(Kube.pod("managed", "gateway-1", labels, "node-a", "10.6.0.1", true));
    awaitConsul(
        () ->
            assertThat(consul.instances("gateway"))
                .containsKey("test:managed:gateway:gateway-1:8080"));

    // Scaling the HotelService scales its Deployment.
    kube.edit(
        "managed",
        "gateway",
        h -> {
          h.getSpec().setReplicas(3L);
          return h;
        });
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () ->
                kube.client()
                        .apps()
                        .deployments()
                        .inNamespace("managed")
                        .withName("gateway")
                        .get()
                        .getSpec()
                        .getReplicas()
                    == 3);

    // Without an image Bellhop runs nothing: its Deployment and Service go.
    kube.edit(
        "managed",
        "gateway",
        h -> {
          h.getSpec().setImage(null);
          h.getSpec().setSelector(labels);
          return h;
        });
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () ->
                kube.client().apps().deployments().inNamespace("managed").withName("gateway").get()
                        == null
                    && kube.client().services().inNamespace("managed").withName("gateway").get()
                        == null);
  }

  @Test
  void servesMetricsAndHealth() throws Exception {
    kube.create(Kube.hotelService("metrics", "search", 8090, Map.of("app", "search")));
    kube.create(
        Kube.pod("metrics", "search-1", Map.of("app", "search"), "node-a", "10.7.0.1", true));
    awaitConsul(() -> assertThat(consul.instances("search")).hasSize(1));

    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + running.operator().httpPort();
    var metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "bellhop_consul_registrations_total",
            "bellhop_consul_deregistrations_total",
            "bellhop_consul_transactions_total",
            "bellhop_consul_errors_total",
            "bellhop_registration_latency_seconds_bucket");
    for (String path : List.of("/healthz", "/readyz")) {
      var response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(200);
    }
  }
}
