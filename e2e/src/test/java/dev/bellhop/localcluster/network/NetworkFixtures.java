package dev.bellhop.localcluster.network;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.Map;

/**
 * The network's tests' objects, in the namespace "demo": ready pods as the kubelet reports them,
 * and the Consul agents' DNS Service.
 */
final class NetworkFixtures {
  private NetworkFixtures() {}

  static Pod ready(String name, String node, String ip, String app) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("demo")
        .withLabels(Map.of("app", app))
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("c")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  /** Service {@code consul-agent}: UDP {@code port} to {@code targetPort} of pods app=agent. */
  static Service agentService(String trafficPolicy, int port, int targetPort) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("consul-agent")
        .withNamespace("demo")
        .endMetadata()
        .withNewSpec()
        .withInternalTrafficPolicy(trafficPolicy)
        .withSelector(Map.of("app", "agent"))
        .addNewPort()
        .withName("dns-udp")
        .withProtocol("UDP")
        .withPort(port)
        .withTargetPort(new IntOrString(targetPort))
        .endPort()
        .endSpec()
        .build();
  }

  /** An informer's store holding {@code pods}. */
  static CacheImpl<Pod> store(Pod... pods) {
    CacheImpl<Pod> store = new CacheImpl<>();
    for (Pod pod : pods) {
      store.put(pod);
    }
    return store;
  }
}
