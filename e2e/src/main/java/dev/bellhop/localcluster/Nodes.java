package dev.bellhop.localcluster;

import dev.bellhop.localcluster.network.PodNetwork;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The three simulated nodes, {@code node-1..3}, each with its own loopback address for host ports.
 */
public final class Nodes {
  public static final int COUNT = 3;

  /** Marks every node and pod the simulated kubelet runs: this is not a real cluster. */
  public static final String SIMULATED = "localcluster.bellhop.dev/simulated";

  private Nodes() {}

  public static List<String> names() {
    return IntStream.rangeClosed(1, COUNT).mapToObj(i -> "node-" + i).toList();
  }

  /** Node name to its address. */
  public static Map<String, String> ips() {
    Map<String, String> ips = new LinkedHashMap<>();
    for (int i = 0; i < COUNT; i++) {
      ips.put("node-" + (i + 1), PodNetwork.nodeIp(i));
    }
    return ips;
  }

  static void register(KubernetesClient client) {
    ips()
        .forEach(
            (name, ip) ->
                client
                    .nodes()
                    .resource(
                        new NodeBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .addToLabels("kubernetes.io/hostname", name)
                            .addToLabels("kubernetes.io/os", "linux")
                            .addToLabels(SIMULATED, "true")
                            .endMetadata()
                            .withNewStatus()
                            .addNewAddress()
                            .withType("InternalIP")
                            .withAddress(ip)
                            .endAddress()
                            .addNewAddress()
                            .withType("Hostname")
                            .withAddress(name)
                            .endAddress()
                            .addNewCondition()
                            .withType("Ready")
                            .withStatus("True")
                            .withReason("KubeletReady")
                            .withMessage("simulated kubelet of the Bellhop local cluster")
                            .endCondition()
                            .endStatus()
                            .build())
                    .createOr(r -> r.update()));
  }
}
