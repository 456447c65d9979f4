package dev.bellhop.operator.hotelservice;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pod informer's cache, holding only the fields registration reads (labels, node, IPs,
 * readiness, deletion), so that tens of thousands of pods fit in a small heap, indexed by label for
 * the HotelServices that select them. It also notes when each pod last changed, for the
 * event-to-Consul latency metric.
 */
final class SlimPodStore extends LabelIndexedStore<Pod> {
  private static final long FORGET_AFTER_NANOS = 300_000_000_000L;

  private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
  private long puts;

  SlimPodStore() {
    super(Labels::indexKeys);
  }

  @Override
  public Pod put(String key, Pod pod) {
    noteChange(key);
    return super.put(key, pod);
  }

  @Override
  public Pod remove(String key) {
    noteChange(key);
    return super.remove(key);
  }

  @Override
  Pod stored(Pod pod) {
    return slim(pod);
  }

  /** When the pod "namespace/name" last changed (System.nanoTime), once; null if not noted. */
  Long takeChangedAt(String key) {
    return changedAt.remove(key);
  }

  private void noteChange(String key) {
    long now = System.nanoTime();
    changedAt.put(key, now);
    if (++puts % 10_000 == 0) { // pods no HotelService selects are never taken: forget them
      changedAt.values().removeIf(t -> now - t > FORGET_AFTER_NANOS);
    }
  }

  /**
   * Every field {@link #slim} keeps, as JSON paths: the one list to extend when a rule
   * (registration, mapping, status) starts reading a pod field. {@code SlimPodStoreTest} holds
   * {@link #slim} to it and runs the rules on full and slim pods alike.
   */
  static final Set<String> FIELDS =
      Set.of(
          "metadata.name",
          "metadata.namespace",
          "metadata.uid",
          "metadata.resourceVersion",
          "metadata.labels",
          "metadata.deletionTimestamp",
          "spec.nodeName",
          "status.phase",
          "status.podIP",
          "status.hostIP",
          "status.conditions[Ready].type",
          "status.conditions[Ready].status");

  /** Plain setters, not builders: at start this runs once per pod of the cluster. */
  static Pod slim(Pod pod) {
    ObjectMeta from = pod.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(from.getName());
    meta.setNamespace(from.getNamespace());
    meta.setUid(from.getUid());
    meta.setResourceVersion(from.getResourceVersion());
    meta.setLabels(from.getLabels());
    meta.setDeletionTimestamp(from.getDeletionTimestamp());
    PodSpec spec = new PodSpec();
    spec.setNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
    PodStatus status = new PodStatus();
    PodStatus full = pod.getStatus();
    if (full != null) {
      status.setPhase(full.getPhase());
      status.setPodIP(full.getPodIP());
      status.setHostIP(full.getHostIP());
      if (full.getConditions() != null) {
        for (PodCondition c : full.getConditions()) {
          if ("Ready".equals(c.getType())) {
            PodCondition ready = new PodCondition();
            ready.setType(c.getType());
            ready.setStatus(c.getStatus());
            status.setConditions(List.of(ready));
          }
        }
      }
    }
    Pod slim = new Pod();
    slim.setMetadata(meta);
    slim.setSpec(spec);
    slim.setStatus(status);
    return slim;
  }
}
