package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CRDs in the store, by name ({@code <plural>.<group>}), kept current by an informer so that a
 * CRD applied (or tightened) later takes effect. A write that arrives before the informer has seen
 * its CRD ({@code kubectl apply -f crds/ -f hs.yaml} in one go) reads it from the store once. Each
 * CRD's validators are built once per resourceVersion, when the informer sees it: parsing the
 * HotelService CRD and compiling its 8 CEL rules takes 0.3-3 s here, a write under a millisecond.
 */
final class CrdCatalog implements AutoCloseable {
  private record Entry(
      String resourceVersion,
      JsonNode crd,
      Map<String, Optional<CustomResourceValidator>> versions) {}

  private static final String API_VERSION = "apiextensions.k8s.io/v1";
  private static final String KIND = "CustomResourceDefinition";

  private final KubernetesClient store;
  private final CelRules cel;
  private final Map<String, Entry> crds = new ConcurrentHashMap<>();
  private final SharedIndexInformer<GenericKubernetesResource> informer;

  CrdCatalog(KubernetesClient store, CelRules cel) {
    this.store = store;
    this.cel = cel;
    this.informer =
        store
            .genericKubernetesResources(API_VERSION, KIND)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(GenericKubernetesResource crd) {
                    put(crd);
                  }

                  @Override
                  public void onUpdate(
                      GenericKubernetesResource old, GenericKubernetesResource crd) {
                    put(crd);
                  }

                  @Override
                  public void onDelete(GenericKubernetesResource crd, boolean unknownFinalState) {
                    crds.remove(crd.getMetadata().getName());
                  }
                });
  }

  /** The validator of a served version, or empty when no CRD defines that resource and version. */
  Optional<CustomResourceValidator> validator(String group, String resource, String version) {
    String name = resource + "." + group;
    Entry entry = crds.get(name);
    if (entry == null) {
      GenericKubernetesResource crd =
          store.genericKubernetesResources(API_VERSION, KIND).withName(name).get();
      if (crd == null) {
        return Optional.empty();
      }
      entry = put(crd);
    }
    JsonNode crd = entry.crd();
    return entry
        .versions()
        .computeIfAbsent(
            version, v -> Optional.ofNullable(CustomResourceValidator.forCrd(crd, v, cel)));
  }

  private Entry put(GenericKubernetesResource crd) {
    String name = crd.getMetadata().getName();
    String rv = crd.getMetadata().getResourceVersion();
    return crds.compute(
        name,
        (k, current) ->
            current != null && rv != null && rv.equals(current.resourceVersion())
                ? current
                : compiled(rv, Serialization.jsonMapper().valueToTree(crd)));
  }

  /**
   * Compiled when the informer sees it (the CRD is applied before its objects), not at the first
   * write.
   */
  private Entry compiled(String rv, JsonNode crd) {
    Entry entry = new Entry(rv, crd, new ConcurrentHashMap<>());
    for (JsonNode v : crd.path("spec").path("versions")) {
      String version = v.path("name").asText();
      entry
          .versions()
          .put(version, Optional.ofNullable(CustomResourceValidator.forCrd(crd, version, cel)));
    }
    return entry;
  }

  @Override
  public void close() {
    informer.close();
  }
}
