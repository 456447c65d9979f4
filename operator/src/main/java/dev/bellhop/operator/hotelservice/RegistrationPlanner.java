package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.InstanceMeta;
import dev.bellhop.operator.registration.Owner;
import dev.bellhop.operator.registration.Registration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a HotelService and its pods into the registrations Consul should hold: a pod that is Ready
 * is registered passing; a registered pod that turns unready stays, critical; a pod that is
 * terminating, finished or gone has none. Public so that bench-sync's raw reference writes exactly
 * the registrations Bellhop would.
 */
public final class RegistrationPlanner {
  private final String clusterId;

  public RegistrationPlanner(String clusterId) {
    this.clusterId = clusterId;
  }

  static Owner owner(HotelService hs) {
    return new Owner(hs.getMetadata().getNamespace(), hs.getMetadata().getName());
  }

  public List<Registration> desired(
      HotelService hs, Collection<Pod> pods, Map<String, Registration> registered) {
    List<Registration> desired = new ArrayList<>();
    for (Pod pod : pods) {
      if (!isLive(pod)) {
        continue;
      }
      boolean ready = Readiness.isPodReady(pod);
      String id = serviceId(hs, pod);
      if (ready || registered.containsKey(id)) {
        desired.add(registration(hs, pod, id, ready));
      }
    }
    return desired;
  }

  /** Not terminating, not finished, and reachable. */
  static boolean isLive(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return false;
    }
    String phase = pod.getStatus().getPhase();
    return !"Succeeded".equals(phase)
        && !"Failed".equals(phase)
        && pod.getStatus().getPodIP() != null
        && !pod.getStatus().getPodIP().isEmpty()
        && pod.getSpec() != null
        && pod.getSpec().getNodeName() != null;
  }

  /**
   * Unique per Kubernetes cluster, namespace, HotelService, pod and port; ':' never occurs in those
   * names.
   */
  String serviceId(HotelService hs, Pod pod) {
    return String.join(
        ":",
        clusterId,
        pod.getMetadata().getNamespace(),
        hs.getMetadata().getName(),
        pod.getMetadata().getName(),
        String.valueOf(hs.getSpec().getPort()));
  }

  /**
   * One synthetic catalog node per Kubernetes node and Bellhop cluster, out of any real agent's
   * reach. The fixed prefix lets an ACL policy grant write on exactly these nodes (node_prefix).
   */
  String nodeName(Pod pod) {
    String node = pod.getSpec().getNodeName().toLowerCase().replaceAll("[^a-z0-9-]", "-");
    return "bellhop-" + clusterId + "-" + node;
  }

  private Registration registration(HotelService hs, Pod pod, String id, boolean ready) {
    var spec = hs.getSpec();
    Map<String, String> meta = new HashMap<>();
    List<String> tags = List.of();
    if (spec.getConsul() != null) {
      if (spec.getConsul().getMeta() != null) {
        meta.putAll(spec.getConsul().getMeta());
      }
      if (spec.getConsul().getTags() != null) {
        tags = spec.getConsul().getTags();
      }
    }
    meta.put(InstanceMeta.MANAGED_BY, InstanceMeta.MANAGED_BY_VALUE);
    meta.put(InstanceMeta.CLUSTER, clusterId);
    meta.put(InstanceMeta.NAMESPACE, pod.getMetadata().getNamespace());
    meta.put(InstanceMeta.HOTELSERVICE, hs.getMetadata().getName());
    meta.put(InstanceMeta.POD, pod.getMetadata().getName());
    meta.put(
        InstanceMeta.POD_UID, pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid());
    if (spec.exposed()) {
      meta.put(InstanceMeta.EXPOSED, InstanceMeta.EXPOSED_VALUE);
    }
    String hostIp = pod.getStatus().getHostIP();
    return new Registration(
        owner(hs),
        id,
        hs.consulServiceName(),
        nodeName(pod),
        hostIp == null || hostIp.isEmpty() ? pod.getStatus().getPodIP() : hostIp,
        pod.getStatus().getPodIP(),
        spec.getPort(),
        tags,
        meta,
        ready);
  }
}
