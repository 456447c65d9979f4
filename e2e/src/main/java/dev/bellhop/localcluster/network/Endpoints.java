package dev.bellhop.localcluster.network;

import dev.bellhop.localcluster.Pods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an Endpoints controller would publish: the serving pods behind a Service port, from the pod
 * cache.
 */
public final class Endpoints {
  private final Store<Pod> pods;
  private final AtomicInteger next = new AtomicInteger();

  public Endpoints(Store<Pod> pods) {
    this.pods = pods;
  }

  /**
   * The addresses behind {@code port} of {@code service}: ready, not terminating pods its selector
   * matches.
   */
  public List<SocketAddress> of(Service service, ServicePort port) {
    Map<String, String> selector = service.getSpec().getSelector();
    List<SocketAddress> out = new ArrayList<>();
    if (selector == null || selector.isEmpty()) {
      return out;
    }
    boolean notReadyToo = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    for (Pod pod : pods.list()) {
      if (!service.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
          || !matches(selector, pod.getMetadata().getLabels())
          || pod.getMetadata().getDeletionTimestamp() != null
          || pod.getStatus() == null
          || pod.getStatus().getPodIP() == null
          || !(notReadyToo || Pods.ready(pod))) {
        continue;
      }
      Integer target = targetPort(pod, port);
      if (target != null) {
        out.add(SocketAddress.inetSocketAddress(target, pod.getStatus().getPodIP()));
      }
    }
    return out;
  }

  /** One of {@link #of}, round robin; null when there is none. */
  public SocketAddress pick(Service service, ServicePort port) {
    return pick(service, port, null);
  }

  /**
   * As {@link #pick(Service, ServicePort)}, for a client on {@code node} (null: unknown): a Service
   * with {@code internalTrafficPolicy: Local} answers only from that node's pods (none: null, the
   * connection is dropped, as kube-proxy does). A client the local cluster cannot place (a pod's
   * process connects from 127.0.0.1, not its pod address) gets any node's pod.
   */
  public SocketAddress pick(Service service, ServicePort port, String node) {
    List<SocketAddress> all = of(service, port);
    if (node != null && "Local".equals(service.getSpec().getInternalTrafficPolicy())) {
      java.util.Set<String> local = new java.util.HashSet<>();
      for (Pod pod : pods.list()) {
        if (pod.getSpec() != null
            && node.equals(pod.getSpec().getNodeName())
            && pod.getStatus() != null
            && pod.getStatus().getPodIP() != null) {
          local.add(pod.getStatus().getPodIP());
        }
      }
      all = all.stream().filter(a -> local.contains(a.host())).toList();
    }
    return all.isEmpty() ? null : all.get(Math.floorMod(next.getAndIncrement(), all.size()));
  }

  /** The node of a client address: a pod's address or a node's own; null when it is neither. */
  public String nodeOf(String clientHost, Map<String, String> nodeIps) {
    for (Map.Entry<String, String> node : nodeIps.entrySet()) {
      if (node.getValue().equals(clientHost)) {
        return node.getKey();
      }
    }
    for (Pod pod : pods.list()) {
      if (pod.getStatus() != null
          && clientHost.equals(pod.getStatus().getPodIP())
          && pod.getSpec() != null) {
        return pod.getSpec().getNodeName();
      }
    }
    return null;
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return labels != null
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** A numeric targetPort as is; a named one looked up in the pod's container ports. */
  static Integer targetPort(Pod pod, ServicePort port) {
    IntOrString target = port.getTargetPort();
    if (target == null) {
      return port.getPort();
    }
    if (target.getIntVal() != null) {
      return target.getIntVal();
    }
    for (Container c : pod.getSpec().getContainers()) {
      for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (target.getStrVal().equals(p.getName())) {
          return p.getContainerPort();
        }
      }
    }
    return null;
  }
}
