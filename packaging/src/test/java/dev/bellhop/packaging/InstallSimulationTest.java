package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * `helm install` simulated: the chart rendered with default values is applied to the mock API server, the
 * operator starts with the settings the chart's Deployment gives it, and reconciles every HotelService and
 * the ConsulCluster. No Consul runs: HotelServices wait for it (Registered=False, ConsulClusterNotReady),
 * which is reconciled. Every request the operator made must be granted by the chart's RBAC.
 */
class InstallSimulationTest {
  static final Duration DEADLINE = Duration.ofSeconds(45);

  @Test
  void theInstalledChartIsReconciledWithinItsRbac() throws Exception {
    List<HasMetadata> objects = Charts.objects(Charts.template(Map.of()));
    List<Rbac.Access> requests = new ArrayList<>();
    try (var cluster = new RecordingCluster()) {
      KubernetesClient client = cluster.client();
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Charts.NAMESPACE)
          .endMetadata().build()).create();
      for (HasMetadata object : objects) {
        client.resource(object).create();
      }
      try (var bellhop = BellhopOperator.start(cluster.operatorClient(), OperatorSettings.config(objects))) {
        for (HotelService hs : Charts.ofType(objects, HotelService.class)) {
          awaitHotelServiceReconciled(client, hs);
        }
        ConsulCluster cc = Charts.ofType(objects, ConsulCluster.class).get(0);
        awaitConsulClusterReconciled(client, cc.getMetadata().getName());

        // Exercise the remaining paths: a workload given up (dependents deleted), a HotelService deleted (finalizer).
        client.resources(HotelService.class).inNamespace(Charts.NAMESPACE).withName("geo").edit(hs -> {
          hs.getSpec().setImage(null);
          hs.getSpec().setSelector(Map.of("app", "geo"));
          return hs;
        });
        await().atMost(DEADLINE).until(() -> client.apps().deployments().inNamespace(Charts.NAMESPACE)
            .withName("geo").get() == null);
        client.resources(HotelService.class).inNamespace(Charts.NAMESPACE).withName("rate").delete();
        await().atMost(DEADLINE).until(() -> client.resources(HotelService.class).inNamespace(Charts.NAMESPACE)
            .withName("rate").get() == null);
        requests.addAll(cluster.takeOperatorRequests());
      }
      requests.addAll(cluster.takeOperatorRequests());
    }

    Set<Rbac.Grant> cluster = Rbac.grants(Charts.ofType(objects, ClusterRole.class).get(0).getRules());
    Set<Rbac.Grant> inReleaseNamespace = Rbac.grants(Charts.ofType(objects, Role.class).get(0).getRules());
    assertThat(requests).as("the operator's requests").isNotEmpty();
    assertThat(requests).allSatisfy(r -> assertThat(cluster.contains(r.grant())
            || Charts.NAMESPACE.equals(r.namespace()) && inReleaseNamespace.contains(r.grant()))
        .as("%s needs %s, which the chart does not grant", r.request(), r.grant()).isTrue());
  }

  private static void awaitHotelServiceReconciled(KubernetesClient client, HotelService rendered) {
    String name = rendered.getMetadata().getName();
    var resource = client.resources(HotelService.class).inNamespace(Charts.NAMESPACE).withName(name);
    await().atMost(DEADLINE).ignoreExceptions().untilAsserted(() -> {
      HotelService hs = resource.get();
      assertThat(hs.getMetadata().getFinalizers()).as(name).isNotEmpty();
      assertThat(hs.getStatus()).as(name).isNotNull();
      assertThat(hs.getStatus().getObservedGeneration()).as(name).isEqualTo(hs.getMetadata().getGeneration());
      assertThat(condition(hs.getStatus().getConditions(), "Invalid")).as(name)
          .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
      assertThat(condition(hs.getStatus().getConditions(), "Registered")).as(name)
          .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("ConsulClusterNotReady"));
      var deployment = client.apps().deployments().inNamespace(Charts.NAMESPACE).withName(name).get();
      assertThat(deployment).as(name).isNotNull();
      assertThat(deployment.getSpec().getReplicas()).as(name).isEqualTo(rendered.getSpec().getReplicas());
      assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).as(name)
          .isEqualTo(rendered.getSpec().getImage());
      assertThat(client.services().inNamespace(Charts.NAMESPACE).withName(name).get()).as(name).isNotNull();
    });
  }

  private static void awaitConsulClusterReconciled(KubernetesClient client, String name) {
    await().atMost(DEADLINE).ignoreExceptions().untilAsserted(() -> {
      ConsulCluster cc = client.resources(ConsulCluster.class).inNamespace(Charts.NAMESPACE).withName(name).get();
      assertThat(cc.getStatus()).isNotNull();
      assertThat(cc.getStatus().getServers()).isEqualTo(3);
      assertThat(condition(cc.getStatus().getConditions(), "Invalid"))
          .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
      // No pods run in the mock: the servers never get ready, which the status says.
      assertThat(condition(cc.getStatus().getConditions(), "Ready"))
          .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("ServersNotReady"));
      var sts = client.apps().statefulSets().inNamespace(Charts.NAMESPACE).withName(name + "-server").get();
      assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
      assertThat(client.services().inNamespace(Charts.NAMESPACE).withName(name).get()).isNotNull();
      assertThat(client.configMaps().inNamespace(Charts.NAMESPACE).withName(name + "-config").get()).isNotNull();
      assertThat(client.secrets().inNamespace(Charts.NAMESPACE).withName(name + "-gossip").get()).isNotNull();
    });
  }

  private static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
