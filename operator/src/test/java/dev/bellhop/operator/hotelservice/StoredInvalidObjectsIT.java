package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.FieldRules;
import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Objects a real API server refuses today (the CRDs carry the rules) but that may be stored:
 * written before the CRD was tightened, or into a store that checks nothing (this mock). The
 * operator must start, mark each with an {@code Invalid} condition naming the field, write nothing
 * for it, and keep serving every other HotelService.
 */
class StoredInvalidObjectsIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1).agents(1));

  private MockCluster cluster;
  private BellhopOperator operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    cluster.close();
  }

  private BellhopOperator start() {
    operator =
        BellhopOperator.start(
            cluster.client(),
            new OperatorConfig(
                CONSUL.cluster().agents().get(0).httpAddress(), null, "test", Set.of(), 0, null));
    return operator;
  }

  private void createRaw(String yaml) {
    GenericKubernetesResource raw = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    cluster
        .client()
        .genericKubernetesResources("bellhop.dev/v1alpha1", "HotelService")
        .inNamespace(raw.getMetadata().getNamespace())
        .resource(raw)
        .create();
  }

  private void awaitInvalid(String ns, String name, String field) {
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var status = cluster.kube().get(ns, name).getStatus();
              var invalid =
                  Conditions.find(status.getConditions(), Conditions.INVALID).orElseThrow();
              assertThat(invalid.getStatus()).isEqualTo("True");
              assertThat(invalid.getMessage()).contains(field);
            });
  }

  @Test
  void replicasBeyondInt32NeitherBreakTheInformerNorReachADeployment() {
    cluster = new MockCluster();
    // Stored before the operator starts: its informer's first list holds it.
    createRaw(
        """
        apiVersion: bellhop.dev/v1alpha1
        kind: HotelService
        metadata: {name: huge, namespace: stored}
        spec: {image: 'bellhop/rate:1', replicas: 3000000000, port: 8084}
        """);
    cluster.kube().create(Kube.hotelService("stored", "geo", 8082, Map.of("app", "geo")));
    cluster
        .kube()
        .create(Kube.pod("stored", "geo-1", Map.of("app", "geo"), "node-a", "10.7.0.1", true));
    start();

    awaitInvalid(
        "stored",
        "huge",
        "spec.replicas must be between 0 and " + FieldRules.REPLICAS_MAX + ", got 3000000000");
    ConsulReader consul = new ConsulReader(CONSUL.cluster());
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(consul.instances("geo")).containsKey("test:stored:geo:geo-1:8082"));
    // One arriving through the watch is handled the same way.
    createRaw(
        """
        apiVersion: bellhop.dev/v1alpha1
        kind: HotelService
        metadata: {name: huger, namespace: stored}
        spec: {image: 'bellhop/rate:1', replicas: 9000000000, port: 8084}
        """);
    awaitInvalid("stored", "huger", "spec.replicas");
    assertThat(cluster.client().apps().deployments().inNamespace("stored").list().getItems())
        .isEmpty();
    assertThat(operator.operator().getRuntimeInfo().allEventSourcesAreHealthy()).isTrue();
  }

  @Test
  void aNameThatCannotNameAServiceIsInvalidNotA422Loop() {
    cluster = new MockCluster();
    start();
    // Accepted before (serviceName set, so the name was never checked), but with an image the name
    // names a Service and a container: a real API server refuses "9lives" for both, on every retry.
    var hs = Kube.hotelService("names", "9lives", 8080, null);
    hs.getSpec().setImage("bellhop/gateway:1");
    hs.getSpec().getConsul().setServiceName("lives");
    cluster.kube().create(hs);

    awaitInvalid("names", "9lives", "metadata.name must be a DNS-1035 label");
    assertThat(cluster.client().services().inNamespace("names").list().getItems()).isEmpty();
    assertThat(cluster.client().apps().deployments().inNamespace("names").list().getItems())
        .isEmpty();
  }

  @Test
  void anObjectThatDoesNotDeserializeStopsNoOtherController() {
    cluster = new MockCluster();
    // A string where the model has an integer: no schema lets it in, but a store that checks
    // nothing does.
    createRaw(
        """
        apiVersion: bellhop.dev/v1alpha1
        kind: HotelService
        metadata: {name: garbled, namespace: stored}
        spec: {port: eighty, selector: {app: x}}
        """);
    start(); // JOSDK's default would stop the operator here (stopOnInformerErrorDuringStartup)

    // fabric8 stops an informer whose list does not deserialize: /healthz says so (the liveness
    // probe
    // restarts the pod), and meanwhile the ConsulCluster controller keeps working.
    assertThat(operator.operator().getRuntimeInfo().allEventSourcesAreHealthy()).isFalse();
    var cc = new dev.bellhop.operator.crd.ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace("stored");
    cc.setSpec(new dev.bellhop.operator.crd.ConsulClusterSpec());
    cluster.client().resources(dev.bellhop.operator.crd.ConsulCluster.class).resource(cc).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(
                        cluster
                            .client()
                            .apps()
                            .statefulSets()
                            .inNamespace("stored")
                            .list()
                            .getItems())
                    .isNotEmpty());
  }
}
