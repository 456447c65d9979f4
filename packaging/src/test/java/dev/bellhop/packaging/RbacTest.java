package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.BellhopOperator;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.hotelservice.HotelServiceReconciler;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.config.workflow.WorkflowSpec;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.processing.event.source.controller.ControllerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is exactly what the operator uses: derived from its registered controllers (primary
 * resources, event sources, dependents) plus the calls it makes itself, listed once in {@link #EXPLICIT_CALLS}.
 */
class RbacTest {
  /**
   * Calls the operator makes outside JOSDK's event sources and dependents, so not discoverable from its
   * controller configuration. Keep in step with the code each line names.
   */
  static final Set<Rbac.Grant> EXPLICIT_CALLS = grants(
      // KubernetesEvents.record: core/v1 Events on Bellhop's resources.
      g(Event.class, "create"),
      // ConsulTargets (does the named ConsulCluster exist) and ConsulEndpoints.resolve.
      g(ConsulCluster.class, "get"),
      // The ConsulCluster's own objects are its workflow's dependents (derived above).
      // ServerPods.list through ConsulEndpoints: the server pods; ServerRoller deletes one to restart it.
      g(Pod.class, "list", "delete"),
      // Secrets: PodSecrets (a gossip or TLS Secret the user names: get);
      // ConsulAcls (createOr -> create/update; edit -> get + patch); ConsulEndpoints (token, CA: get).
      g(Secret.class, "get", "create", "update", "patch"),
      // JOSDK's LeaderElectionManager checks its rights on Leases before electing (SelfSubjectRulesReview).
      g(SelfSubjectRulesReview.class, "create"));

  /**
   * Leader election (JOSDK through fabric8's ResourceLock: get, create, and patch to acquire and renew) of
   * the Lease bellhop-operator in the release namespace.
   */
  static final Set<Rbac.Grant> LEADER_ELECTION = grants(g(Lease.class, "get", "create", "patch"));

  @Test
  void clusterRoleGrantsExactlyWhatTheOperatorUses() throws Exception {
    List<HasMetadata> objects = Charts.objects(Charts.template(Map.of()));
    Set<Rbac.Grant> derived;
    try (var cluster = new RecordingCluster();
        var bellhop = BellhopOperator.start(cluster.operatorClient(),
            OperatorSettings.config(objects))) {
      derived = fromControllers(bellhop.operator().getRegisteredControllers());
      // Stop once leader election is through, not in the middle of it.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> cluster.client()
          .leases().inNamespace(Charts.NAMESPACE).withName("bellhop-operator").get() != null);
    }
    assertThat(derived).as("derived from the controllers").isNotEmpty();
    Set<Rbac.Grant> expected = new TreeSet<>(derived);
    expected.addAll(EXPLICIT_CALLS);

    ClusterRole role = Charts.ofType(objects, ClusterRole.class).get(0);
    assertThat(Rbac.grants(role.getRules())).containsExactlyElementsOf(expected);
    Role leases = Charts.ofType(objects, Role.class).get(0);
    assertThat(Rbac.grants(leases.getRules())).containsExactlyElementsOf(LEADER_ELECTION);
  }

  /** What JOSDK does for the registered controllers, from their configuration and event sources. */
  static Set<Rbac.Grant> fromControllers(Set<RegisteredController> controllers) throws Exception {
    Set<Rbac.Grant> grants = new TreeSet<>();
    for (RegisteredController<?> registered : controllers) {
      Controller<?> controller = (Controller<?>) registered;
      var primary = registered.getConfiguration().getResourceClass();
      // Status written by patch (UpdateControl.patchStatus / ErrorStatusUpdateControl.patchStatus;
      // HotelServiceReconciler's StatusWriter: a merge patch of the status subresource).
      grants.add(Rbac.grant(primary, "status", "patch"));
      // HotelServiceReconciler sees every event and adds and removes its finalizer itself
      // (PrimaryUpdateAndCacheUtils); JOSDK does it for a Cleaner.
      if (controller.useFinalizer() || controller.getReconciler() instanceof HotelServiceReconciler) {
        // Finalizer added and removed by patch; a conflicting patch re-reads the resource.
        grants.add(Rbac.grant(primary, null, "patch"));
        grants.add(Rbac.grant(primary, null, "get"));
      }
      for (var source : controller.getEventSourceManager().allEventSources()) {
        if (source instanceof ManagedInformerEventSource<?, ?, ?> informer) {
          grants.add(Rbac.grant(informer.resourceType(), null, "list"));
          grants.add(Rbac.grant(informer.resourceType(), null, "watch"));
        } else if (source instanceof ControllerEventSource<?> primaries) {
          grants.add(Rbac.grant(primaries.resourceType(), null, "list"));
          grants.add(Rbac.grant(primaries.resourceType(), null, "watch"));
        }
      }
      List<DependentResourceSpec> specs = registered.getConfiguration().getWorkflowSpec()
          .map(WorkflowSpec::getDependentResourceSpecs).orElse(List.of());
      List<KubernetesDependentResource<?, ?>> dependents = new ArrayList<>();
      for (DependentResourceSpec<?, ?, ?> spec : specs) {
        Class<?> type = spec.getDependentResourceClass();
        dependents.add((KubernetesDependentResource<?, ?>) type.getDeclaredConstructor().newInstance());
      }
      // Standalone dependents, reconciled from the reconciler's own workflow.
      if (controller.getReconciler() instanceof HotelServiceReconciler hotelServices) {
        hotelServices.workload().getDependentResourcesByName().values()
            .forEach(d -> dependents.add((KubernetesDependentResource<?, ?>) d));
      }
      for (KubernetesDependentResource<?, ?> dependent : dependents) {
        Class<? extends HasMetadata> resource = dependent.resourceType();
        if (dependent instanceof Creator) {
          grants.add(Rbac.grant(resource, null, "create"));
        }
        if (dependent instanceof Updater) {
          grants.add(Rbac.grant(resource, null, "update"));
        }
        if (dependent instanceof Deleter) {
          grants.add(Rbac.grant(resource, null, "delete"));
        }
      }
    }
    return grants;
  }

  private static Set<Rbac.Grant> g(Class<? extends HasMetadata> type, String... verbs) {
    Set<Rbac.Grant> grants = new TreeSet<>();
    for (String verb : verbs) {
      grants.add(Rbac.grant(type, null, verb));
    }
    return grants;
  }

  @SafeVarargs
  private static Set<Rbac.Grant> grants(Set<Rbac.Grant>... sets) {
    Set<Rbac.Grant> all = new TreeSet<>();
    for (Set<Rbac.Grant> s : sets) {
      all.addAll(s);
    }
    return all;
  }
}
