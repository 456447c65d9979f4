package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The running pods of one component (servers or agents) of a ConsulCluster that have an IP, ready
 * ones first, as URLs of their HTTP(S) API. The one rule for "which pods answer for this cluster",
 * used by the reconciler (from its informer cache) and by {@link ConsulEndpoints} (from the API).
 */
final class ServerPods {
  /** A pod and where its Consul API listens. */
  record ServerPod(String name, String uid, String url, boolean ready) {}

  private ServerPods() {}

  /** From the API server (callers that have no informer for the pods). */
  static List<ServerPod> list(KubernetesClient client, ClusterSettings s, String component) {
    return of(
        client
            .pods()
            .inNamespace(s.namespace())
            .withLabels(s.selector(component))
            .list()
            .getItems(),
        s,
        component);
  }

  /** The pods at hand that carry every label of {@code selector} (a Job's pods, say). */
  static List<Pod> labelled(Collection<Pod> pods, Map<String, String> selector) {
    return pods.stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .toList();
  }

  /** From pods already at hand (an informer's cache), keeping those of {@code component}. */
  static List<ServerPod> of(Collection<Pod> pods, ClusterSettings s, String component) {
    List<ServerPod> result = new ArrayList<>();
    var selector = s.selector(component);
    for (Pod pod : pods) {
      var labels = pod.getMetadata().getLabels();
      if (labels == null
          || !labels.entrySet().containsAll(selector.entrySet())
          || pod.getMetadata().getDeletionTimestamp() != null
          || pod.getStatus() == null
          || pod.getStatus().getPodIP() == null
          || pod.getStatus().getPodIP().isEmpty()) {
        continue;
      }
      String ip = pod.getStatus().getPodIP();
      String host = ip.contains(":") ? "[" + ip + "]" : ip;
      result.add(
          new ServerPod(
              pod.getMetadata().getName(),
              pod.getMetadata().getUid(),
              s.scheme() + "://" + host + ":" + s.httpPort(),
              Readiness.isPodReady(pod)));
    }
    result.sort(Comparator.comparing((ServerPod p) -> !p.ready()).thenComparing(ServerPod::url));
    return result;
  }
}
