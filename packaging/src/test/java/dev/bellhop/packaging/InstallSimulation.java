package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulRestore;
import dev.bellhop.operator.crd.ConsulRestoreSpec;
import dev.bellhop.operator.crd.ConsulRestoreStatus;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `helm install` simulated: the rendered chart is applied to the mock API server (in its release
 * namespace), the operator starts with the settings the chart's Deployment gives it, and reconciles
 * every HotelService and the ConsulCluster. No Consul runs: HotelServices wait for it
 * (Registered=False, ConsulClusterNotReady), which is reconciled. Then every other path the mock
 * can reach: a workload given up, a HotelService deleted, the ConsulCluster's UI and agents turned
 * off, a ConsulRestore of a claim that does not exist. {@link RbacTest} judges the requests it
 * made.
 */
final class InstallSimulation {
  static final Duration DEADLINE = Duration.ofSeconds(45);

  /** ConsulClusterReconciler's annotation: the hash of what it last wrote. */
  private static final String SPEC_HASH = "bellhop.dev/spec-hash";

  private InstallSimulation() {}

  /** Runs the install and returns every request the operator made. */
  static List<Rbac.Access> run(RecordingCluster cluster, List<HasMetadata> objects)
      throws Exception {
    List<Rbac.Access> requests = new ArrayList<>();
    KubernetesClient client = cluster.client();
    // The release namespace: the chart's objects and the operator's Lease are there.
    String ns = ChartTest.deployment(objects, "bellhop-operator").getMetadata().getNamespace();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    for (HasMetadata object : objects) {
      client.resource(object).create();
    }
    try (var bellhop =
        BellhopOperator.start(cluster.operatorClient(), OperatorSettings.config(objects))) {
      for (HotelService hs : Charts.ofType(objects, HotelService.class)) {
        awaitHotelServiceReconciled(client, ns, hs);
      }
      ConsulCluster cc = Charts.ofType(objects, ConsulCluster.class).get(0);
      String ccName = cc.getMetadata().getName();
      awaitConsulClusterReconciled(client, ns, ccName);

      // A workload given up (its dependents deleted), a HotelService deleted (its finalizer).
      retryingConflicts(
          () ->
              client
                  .resources(HotelService.class)
                  .inNamespace(ns)
                  .withName("geo")
                  .edit(
                      hs -> {
                        hs.getSpec().setImage(null);
                        hs.getSpec().setSelector(Map.of("app", "geo"));
                        return hs;
                      }));
      await()
          .atMost(DEADLINE)
          .until(() -> client.apps().deployments().inNamespace(ns).withName("geo").get() == null);
      client.resources(HotelService.class).inNamespace(ns).withName("rate").delete();
      await()
          .atMost(DEADLINE)
          .until(
              () ->
                  client.resources(HotelService.class).inNamespace(ns).withName("rate").get()
                      == null);
      // A HotelService's workload changed: its Deployment and Service updated.
      HotelService hotel =
          client.resources(HotelService.class).inNamespace(ns).withName("hotel").get();
      long replicas = hotel.getSpec().getReplicas() + 1;
      int port = hotel.getSpec().getPort() + 1;
      retryingConflicts(
          () ->
              client
                  .resources(HotelService.class)
                  .inNamespace(ns)
                  .withName("hotel")
                  .edit(
                      hs -> {
                        hs.getSpec().setReplicas(replicas);
                        hs.getSpec().setPort(port);
                        return hs;
                      }));
      await()
          .atMost(DEADLINE)
          .until(
              () ->
                  client
                              .apps()
                              .deployments()
                              .inNamespace(ns)
                              .withName("hotel")
                              .get()
                              .getSpec()
                              .getReplicas()
                          == replicas
                      && client
                          .services()
                          .inNamespace(ns)
                          .withName("hotel")
                          .get()
                          .getSpec()
                          .getPorts()
                          .stream()
                          .anyMatch(p -> p.getPort() == port));
      // An upgrade: what an earlier operator version wrote (another spec hash) is rewritten at the
      // next change.
      List<HasMetadata> owned = ownedBy(client, ns, ccName);
      for (HasMetadata o : owned) {
        retryingConflicts(
            () ->
                client
                    .resource(client.resource(o).get())
                    .edit(
                        x -> {
                          x.getMetadata().getAnnotations().put(SPEC_HASH, "earlier-version");
                          return x;
                        }));
      }
      retryingConflicts(
          () ->
              client
                  .resources(ConsulCluster.class)
                  .inNamespace(ns)
                  .withName(ccName)
                  .edit(
                      c -> {
                        c.getSpec().setServers(5);
                        return c;
                      }));
      await()
          .atMost(DEADLINE)
          .until(
              () ->
                  ownedBy(client, ns, ccName).stream()
                      .noneMatch(
                          o ->
                              "earlier-version"
                                  .equals(o.getMetadata().getAnnotations().get(SPEC_HASH))));
      // The ConsulCluster's UI Service and agents' DaemonSet turned off: both deleted.
      String agents =
          client.apps().daemonSets().inNamespace(ns).list().getItems().stream()
              .map(d -> d.getMetadata().getName())
              .findFirst()
              .orElseThrow();
      retryingConflicts(
          () ->
              client
                  .resources(ConsulCluster.class)
                  .inNamespace(ns)
                  .withName(ccName)
                  .edit(
                      c -> {
                        c.getSpec().getUi().setEnabled(false);
                        c.getSpec().getAgents().setEnabled(false);
                        return c;
                      }));
      await()
          .atMost(DEADLINE)
          .until(
              () ->
                  client.apps().daemonSets().inNamespace(ns).withName(agents).get() == null
                      && client.services().inNamespace(ns).withName(ccName + "-ui").get() == null);
      // A ConsulRestore of a claim that does not exist: Pending, naming the claim.
      ConsulRestore restore = new ConsulRestore();
      restore.getMetadata().setName("from-nowhere");
      restore.getMetadata().setNamespace(ns);
      restore.setSpec(new ConsulRestoreSpec());
      restore.getSpec().setCluster(ccName);
      restore.getSpec().setSnapshot(ccName + "-20260101T000000Z.snap");
      restore.getSpec().setClaim("no-such-claim");
      client.resource(restore).create();
      await()
          .atMost(DEADLINE)
          .until(
              () -> {
                var status = client.resource(restore).get().getStatus();
                return status != null
                    && ConsulRestoreStatus.PENDING.equals(status.getPhase())
                    && status.getMessage().contains("PersistentVolumeClaim no-such-claim");
              });
      requests.addAll(cluster.takeOperatorRequests());
    }
    requests.addAll(cluster.takeOperatorRequests());
    return requests;
  }

  /**
   * An edit of an object the operator writes too (status, finalizers, its own objects): a 409 from
   * a write in between is tried again on the new version, as kubectl edit would be.
   */
  private static void retryingConflicts(Runnable edit) {
    await()
        .atMost(DEADLINE)
        .until(
            () -> {
              try {
                edit.run();
                return true;
              } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                  return false;
                }
                throw e;
              }
            });
  }

  /** What the ConsulCluster owns (its controller reference), each with its spec hash. */
  private static List<HasMetadata> ownedBy(KubernetesClient client, String ns, String cc) {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.apps().statefulSets().inNamespace(ns).list().getItems());
    all.addAll(client.apps().daemonSets().inNamespace(ns).list().getItems());
    all.addAll(client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems());
    all.addAll(client.services().inNamespace(ns).list().getItems());
    all.addAll(client.configMaps().inNamespace(ns).list().getItems());
    return all.stream()
        .filter(
            o ->
                o.getMetadata().getOwnerReferences() != null
                    && o.getMetadata().getOwnerReferences().stream()
                        .anyMatch(
                            r -> "ConsulCluster".equals(r.getKind()) && cc.equals(r.getName())))
        .filter(
            o ->
                o.getMetadata().getAnnotations() != null
                    && o.getMetadata().getAnnotations().containsKey(SPEC_HASH))
        .toList();
  }

  private static void awaitHotelServiceReconciled(
      KubernetesClient client, String ns, HotelService rendered) {
    String name = rendered.getMetadata().getName();
    var resource = client.resources(HotelService.class).inNamespace(ns).withName(name);
    await()
        .atMost(DEADLINE)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              HotelService hs = resource.get();
              assertThat(hs.getMetadata().getFinalizers()).as(name).isNotEmpty();
              assertThat(hs.getStatus()).as(name).isNotNull();
              assertThat(hs.getStatus().getObservedGeneration())
                  .as(name)
                  .isEqualTo(hs.getMetadata().getGeneration());
              assertThat(condition(hs.getStatus().getConditions(), "Invalid"))
                  .as(name)
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
              assertThat(condition(hs.getStatus().getConditions(), "Registered"))
                  .as(name)
                  .hasValueSatisfying(
                      c -> assertThat(c.getReason()).isEqualTo("ConsulClusterNotReady"));
              var deployment = client.apps().deployments().inNamespace(ns).withName(name).get();
              assertThat(deployment).as(name).isNotNull();
              assertThat(deployment.getSpec().getReplicas().longValue())
                  .as(name)
                  .isEqualTo(rendered.getSpec().getReplicas());
              assertThat(
                      deployment
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .getImage())
                  .as(name)
                  .isEqualTo(rendered.getSpec().getImage());
              assertThat(client.services().inNamespace(ns).withName(name).get())
                  .as(name)
                  .isNotNull();
            });
  }

  private static void awaitConsulClusterReconciled(
      KubernetesClient client, String ns, String name) {
    await()
        .atMost(DEADLINE)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ConsulCluster cc =
                  client.resources(ConsulCluster.class).inNamespace(ns).withName(name).get();
              assertThat(cc.getStatus()).isNotNull();
              assertThat(cc.getStatus().getServers()).isEqualTo(3);
              assertThat(condition(cc.getStatus().getConditions(), "Invalid"))
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
              // No pods run in the mock: the servers never get ready, which the status says.
              assertThat(condition(cc.getStatus().getConditions(), "Ready"))
                  .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("ServersNotReady"));
              var sts =
                  client.apps().statefulSets().inNamespace(ns).withName(name + "-server").get();
              assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
              assertThat(client.services().inNamespace(ns).withName(name).get()).isNotNull();
              assertThat(client.configMaps().inNamespace(ns).withName(name + "-config").get())
                  .isNotNull();
              assertThat(client.secrets().inNamespace(ns).withName(name + "-gossip").get())
                  .isNotNull();
            });
  }

  private static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
