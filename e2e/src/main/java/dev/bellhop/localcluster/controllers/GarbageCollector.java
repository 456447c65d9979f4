package dev.bellhop.localcluster.controllers;

import dev.bellhop.localcluster.EventHandlers;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's garbage collector for the local cluster, level-triggered: every {@link
 * #sync()} reads its informers' caches and
 *
 * <ul>
 *   <li>deletes (in the background) an object whose every owner, by uid, is gone, and removes the
 *       references to gone owners from an object that still has a live one;
 *   <li>for an owner deleted with {@code propagationPolicy: Foreground} (it carries the {@code
 *       foregroundDeletion} finalizer and a deletionTimestamp): deletes its dependents and removes
 *       the finalizer once no dependent with {@code blockOwnerDeletion: true} is left;
 *   <li>for {@code Orphan} (the {@code orphan} finalizer): removes the owner from its dependents'
 *       ownerReferences, then the finalizer.
 * </ul>
 *
 * It watches the kinds the project's manifests and operator create, and every custom resource kind
 * as its CRD appears. An owner missing from the caches is looked up on the API server before its
 * dependents are touched (a cache may not have seen a new owner yet).
 */
public final class GarbageCollector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
  static final String FOREGROUND = "foregroundDeletion";
  static final String ORPHAN = "orphan";

  /**
   * Built-in kinds watched: what the manifests, the operator and the workload controller create.
   */
  private static final List<ResourceDefinitionContext> BUILT_IN =
      List.of(
          context("", "v1", "pods", "Pod", true),
          context("", "v1", "services", "Service", true),
          context("", "v1", "configmaps", "ConfigMap", true),
          context("", "v1", "secrets", "Secret", true),
          context("", "v1", "serviceaccounts", "ServiceAccount", true),
          context("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true),
          context("apps", "v1", "deployments", "Deployment", true),
          context("apps", "v1", "statefulsets", "StatefulSet", true),
          context("apps", "v1", "daemonsets", "DaemonSet", true),
          context("apps", "v1", "replicasets", "ReplicaSet", true),
          context("batch", "v1", "jobs", "Job", true),
          context("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true),
          context("networking.k8s.io", "v1", "ingresses", "Ingress", true),
          context("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true),
          context("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
          context("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true));

  private final KubernetesClient client;

  /** Keyed by "group/kind". */
  private final Map<String, Watched> watched = new ConcurrentHashMap<>();

  private Runnable onChange = () -> {};

  private record Watched(
      ResourceDefinitionContext context, SharedIndexInformer<GenericKubernetesResource> informer) {}

  /** An object with where it lives, as the caches hold it. */
  private record Item(ResourceDefinitionContext context, GenericKubernetesResource object) {
    String uid() {
      return object.getMetadata().getUid();
    }

    boolean deleting() {
      return object.getMetadata().getDeletionTimestamp() != null;
    }

    boolean hasFinalizer(String finalizer) {
      return object.getMetadata().getFinalizers() != null
          && object.getMetadata().getFinalizers().contains(finalizer);
    }

    List<OwnerReference> owners() {
      return object.getMetadata().getOwnerReferences() == null
          ? List.of()
          : object.getMetadata().getOwnerReferences();
    }

    String name() {
      return Objects.toString(object.getMetadata().getNamespace(), "")
          + "/"
          + object.getMetadata().getName();
    }
  }

  public GarbageCollector(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Starts the informers; {@code onChange} runs after any event (it should schedule a {@link
   * #sync()}).
   */
  public void start(Runnable onChange) {
    this.onChange = onChange;
    Map<String, java.util.Set<String>> served = new HashMap<>();
    // A bare store serves no discovery: then every kind is tried, and watch() leaves out what
    // fails.
    boolean discovery = !served.computeIfAbsent("v1", this::servedResources).isEmpty();
    for (ResourceDefinitionContext context : BUILT_IN) {
      String groupVersion =
          context.getGroup().isEmpty()
              ? context.getVersion()
              : context.getGroup() + "/" + context.getVersion();
      java.util.Set<String> resources = served.computeIfAbsent(groupVersion, this::servedResources);
      if (!discovery || resources.contains(context.getPlural())) {
        watch(context);
      }
    }
    watchCustomResources();
  }

  /** What discovery lists for a group version (kube's garbage collector watches what is served). */
  private java.util.Set<String> servedResources(String groupVersion) {
    try {
      var list = client.getApiResources(groupVersion);
      return list == null
          ? java.util.Set.of()
          : list.getResources().stream()
              .map(r -> r.getName())
              .collect(java.util.stream.Collectors.toSet());
    } catch (KubernetesClientException e) {
      return java.util.Set.of();
    }
  }

  /** One pass over every cached object. */
  public synchronized void sync() {
    watchCustomResources();
    Map<String, Item> byUid = new HashMap<>();
    Map<String, List<Item>> dependents = new HashMap<>();
    for (Watched w : watched.values()) {
      for (GenericKubernetesResource o : w.informer().getStore().list()) {
        Item item = new Item(w.context(), o);
        byUid.put(item.uid(), item);
        item.owners()
            .forEach(
                ref -> dependents.computeIfAbsent(ref.getUid(), k -> new ArrayList<>()).add(item));
      }
    }
    Map<String, Optional<Item>> lookedUp = new HashMap<>();
    for (Item item : byUid.values()) {
      if (!item.owners().isEmpty()) {
        guarded(item, () -> collect(item, byUid, lookedUp));
      }
    }
    for (Item owner : byUid.values()) {
      if (!owner.deleting()) {
        continue;
      }
      List<Item> deps = dependents.getOrDefault(owner.uid(), List.of());
      if (owner.hasFinalizer(ORPHAN)) {
        guarded(owner, () -> orphan(owner, deps));
      } else if (owner.hasFinalizer(FOREGROUND)) {
        guarded(owner, () -> foreground(owner, deps));
      }
    }
  }

  /**
   * An object's owners: all gone (or all waiting for it to go) → delete it; some gone → forget
   * those.
   */
  private void collect(Item item, Map<String, Item> byUid, Map<String, Optional<Item>> lookedUp) {
    List<OwnerReference> gone = new ArrayList<>();
    boolean waited = false;
    int solid = 0;
    for (OwnerReference ref : item.owners()) {
      Optional<Item> owner =
          lookedUp.computeIfAbsent(
              ref.getUid(),
              uid ->
                  byUid.containsKey(uid)
                      ? Optional.of(byUid.get(uid))
                      : lookUp(ref, item.object().getMetadata().getNamespace()));
      if (owner.isEmpty()) {
        gone.add(ref);
      } else if (owner.get().deleting() && owner.get().hasFinalizer(FOREGROUND)) {
        waited = true;
      } else {
        solid++;
      }
    }
    if (solid > 0) {
      if (!gone.isEmpty()) {
        log.atInfo()
            .addKeyValue("object", item.context().getKind() + " " + item.name())
            .addKeyValue("owners", gone.size())
            .log("removing references to deleted owners");
        removeOwners(item, gone.stream().map(OwnerReference::getUid).toList());
      }
      return;
    }
    if (item.deleting()) {
      return;
    }
    DeletionPropagation policy =
        waited ? DeletionPropagation.FOREGROUND : DeletionPropagation.BACKGROUND;
    log.atInfo()
        .addKeyValue("object", item.context().getKind() + " " + item.name())
        .addKeyValue("propagation", policy.toString())
        .log("deleting an object whose owners are gone");
    resource(item).withPropagationPolicy(policy).delete();
  }

  private void orphan(Item owner, List<Item> deps) {
    for (Item dependent : deps) {
      removeOwners(dependent, List.of(owner.uid()));
    }
    log.atInfo()
        .addKeyValue("owner", owner.context().getKind() + " " + owner.name())
        .addKeyValue("dependents", deps.size())
        .log("dependents orphaned");
    removeFinalizer(owner, ORPHAN);
  }

  private void foreground(Item owner, List<Item> deps) {
    // The dependents themselves are deleted by collect(): their owner is waiting for them.
    boolean blocked =
        deps.stream()
            .anyMatch(
                d ->
                    d.owners().stream()
                        .anyMatch(
                            r ->
                                owner.uid().equals(r.getUid())
                                    && Boolean.TRUE.equals(r.getBlockOwnerDeletion())));
    if (!blocked) {
      log.atInfo()
          .addKeyValue("owner", owner.context().getKind() + " " + owner.name())
          .log("no blocking dependents left; foreground deletion completes");
      removeFinalizer(owner, FOREGROUND);
    }
  }

  private Optional<Item> lookUp(OwnerReference ref, String namespace) {
    ResourceDefinitionContext context = contextOf(ref);
    var resources = client.genericKubernetesResources(context);
    try {
      GenericKubernetesResource owner =
          context.isNamespaceScoped() && namespace != null
              ? resources.inNamespace(namespace).withName(ref.getName()).get()
              : resources.withName(ref.getName()).get();
      return owner != null && ref.getUid().equals(owner.getMetadata().getUid())
          ? Optional.of(new Item(context, owner))
          : Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw e; // cannot tell: keep the dependent, try again next pass
    }
  }

  private void removeOwners(Item item, List<String> uids) {
    resource(item)
        .edit(
            o -> {
              if (o.getMetadata().getOwnerReferences() != null) {
                List<OwnerReference> kept = new ArrayList<>(o.getMetadata().getOwnerReferences());
                kept.removeIf(r -> uids.contains(r.getUid()));
                o.getMetadata().setOwnerReferences(kept.isEmpty() ? null : kept);
              }
              return o;
            });
  }

  private void removeFinalizer(Item item, String finalizer) {
    resource(item)
        .edit(
            o -> {
              if (o.getMetadata().getFinalizers() != null) {
                List<String> kept = new ArrayList<>(o.getMetadata().getFinalizers());
                kept.remove(finalizer);
                o.getMetadata().setFinalizers(kept);
              }
              return o;
            });
  }

  private io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource> resource(Item item) {
    var resources = client.genericKubernetesResources(item.context());
    String namespace = item.object().getMetadata().getNamespace();
    return namespace == null
        ? resources.withName(item.object().getMetadata().getName())
        : resources.inNamespace(namespace).withName(item.object().getMetadata().getName());
  }

  /** The watched kind of a reference, or kube's plural guess for an unwatched one. */
  private ResourceDefinitionContext contextOf(OwnerReference ref) {
    String apiVersion = ref.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version =
        apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
    Watched w = watched.get(group + "/" + ref.getKind());
    if (w != null) {
      return new ResourceDefinitionContext.Builder()
          .withGroup(group)
          .withVersion(version)
          .withPlural(w.context().getPlural())
          .withKind(ref.getKind())
          .withNamespaced(w.context().isNamespaceScoped())
          .build();
    }
    String lower = ref.getKind().toLowerCase(java.util.Locale.ROOT);
    String plural =
        lower.endsWith("s")
            ? lower + "es"
            : lower.endsWith("y") ? lower.substring(0, lower.length() - 1) + "ies" : lower + "s";
    boolean clusterScoped =
        group.isEmpty() && List.of("Namespace", "Node", "PersistentVolume").contains(ref.getKind());
    return context(group, version, plural, ref.getKind(), !clusterScoped);
  }

  private void watchCustomResources() {
    List<CustomResourceDefinition> crds;
    try {
      crds = client.apiextensions().v1().customResourceDefinitions().list().getItems();
    } catch (KubernetesClientException e) {
      return;
    }
    for (CustomResourceDefinition crd : crds) {
      var spec = crd.getSpec();
      String key = spec.getGroup() + "/" + spec.getNames().getKind();
      if (watched.containsKey(key)) {
        continue;
      }
      spec.getVersions().stream()
          .filter(v -> Boolean.TRUE.equals(v.getStorage()))
          .findFirst()
          .map(CustomResourceDefinitionVersion::getName)
          .ifPresent(
              version ->
                  watch(
                      context(
                          spec.getGroup(),
                          version,
                          spec.getNames().getPlural(),
                          spec.getNames().getKind(),
                          "Namespaced".equals(spec.getScope()))));
    }
  }

  /**
   * Watches a kind the API server serves; one it does not serve (a 404 on its list) is left out.
   */
  private void watch(ResourceDefinitionContext context) {
    String key = context.getGroup() + "/" + context.getKind();
    if (watched.containsKey(key)) {
      return;
    }
    var resources = client.genericKubernetesResources(context);
    try {
      SharedIndexInformer<GenericKubernetesResource> informer =
          context.isNamespaceScoped()
              ? resources.inAnyNamespace().inform(handler())
              : resources.inform(handler());
      watched.put(key, new Watched(context, informer));
    } catch (KubernetesClientException e) {
      log.atDebug()
          .addKeyValue("kind", key)
          .addKeyValue("error", String.valueOf(e.getMessage()))
          .log("kind not served: not watched");
    }
  }

  private ResourceEventHandler<GenericKubernetesResource> handler() {
    return EventHandlers.onAnyChange(() -> onChange.run());
  }

  private static void guarded(Item item, Runnable action) {
    try {
      action.run();
    } catch (KubernetesClientException e) {
      // Changed or gone meanwhile: the next pass sees the new state.
      log.atDebug()
          .addKeyValue("object", item.context().getKind() + " " + item.name())
          .setCause(e)
          .log("garbage collection retried");
    }
  }

  private static ResourceDefinitionContext context(
      String group, String version, String plural, String kind, boolean namespaced) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withPlural(plural)
        .withKind(kind)
        .withNamespaced(namespaced)
        .build();
  }

  @Override
  public void close() {
    watched.values().forEach(w -> w.informer().close());
    watched.clear();
  }
}
