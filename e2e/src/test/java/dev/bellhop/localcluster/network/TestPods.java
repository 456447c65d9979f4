package dev.bellhop.localcluster.network;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.Map;

/** Ready pods in the namespace "demo", as the kubelet reports them, for the network's tests. */
final class TestPods {
  private TestPods() {}

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

  /** An informer's store holding {@code pods}. */
  static CacheImpl<Pod> store(Pod... pods) {
    CacheImpl<Pod> store = new CacheImpl<>();
    for (Pod pod : pods) {
      store.put(pod);
    }
    return store;
  }
}
