package dev.bellhop.localcluster.network;

import dev.bellhop.localcluster.Pods;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster's network: every pod, Service and node gets its own loopback address, and the
 * cluster DNS names a pod is given ({@code <svc>.<ns>.svc}, {@code <pod>.<svc>.<ns>.svc}) are
 * resolved here, since the processes run on the host's resolver.
 *
 * <p>Address plan (all in 127.0.0.0/8, which Linux routes to loopback):
 *
 * <ul>
 *   <li>{@code 127.0.0.2–4}: the three nodes (host ports);
 *   <li>{@code 127.0.0.11+}: StatefulSet pods, {@code block + ordinal} with ten addresses a set, so
 *       a pod's address, like its DNS name, is known before it exists (Consul servers join each
 *       other by those names);
 *   <li>{@code 127.0.1.x}: every other pod, taken and given back;
 *   <li>{@code 127.0.2.x}: Service cluster IPs (the local kube-proxy listens there).
 * </ul>
 */
public final class PodNetwork {
  private static final Logger log = LoggerFactory.getLogger(PodNetwork.class);
  private static final Pattern CLUSTER_NAME =
      Pattern.compile(
          "\\b((?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\\.){2,3})svc(?:\\.cluster\\.local)?\\b");
  private static final Pattern ORDINAL = Pattern.compile("(.+)-(\\d+)");

  private final KubernetesClient client;
  private final Map<String, Integer> statefulBlocks = new HashMap<>();
  private final Map<String, String> podIps = new HashMap<>();
  private final TreeSet<Integer> freePodHosts = new TreeSet<>();
  private final Map<String, String> clusterIps = new HashMap<>();

  public PodNetwork(KubernetesClient client) {
    this.client = client;
    for (int i = 1; i < 255; i++) {
      freePodHosts.add(i);
    }
  }

  /** The address of a node, by its index (0-based). */
  public static String nodeIp(int index) {
    return "127.0.0." + (2 + index);
  }

  /** Gives a pod its address: stable for StatefulSet pods, the lowest free one otherwise. */
  public synchronized String assign(Pod pod) {
    String key = key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    String ip = podIps.get(key);
    if (ip != null) {
      return ip;
    }
    OwnerReference owner = Pods.controller(pod);
    Matcher m = ORDINAL.matcher(pod.getMetadata().getName());
    if (owner != null && "StatefulSet".equals(owner.getKind()) && m.matches()) {
      ip =
          statefulIp(
              pod.getMetadata().getNamespace(), owner.getName(), Integer.parseInt(m.group(2)));
    } else {
      Integer host = freePodHosts.pollFirst();
      if (host == null) {
        throw new IllegalStateException("no free pod address left in 127.0.1.0/24");
      }
      ip = "127.0.1." + host;
    }
    podIps.put(key, ip);
    return ip;
  }

  /** Gives a removed pod's address back (StatefulSet addresses stay with their ordinal). */
  public synchronized void release(String namespace, String name) {
    String ip = podIps.remove(key(namespace, name));
    if (ip != null && ip.startsWith("127.0.1.")) {
      freePodHosts.add(Integer.parseInt(ip.substring("127.0.1.".length())));
    }
  }

  /** The local kube-proxy's address of a Service, given on first use. */
  public synchronized String clusterIp(String namespace, String service) {
    return clusterIps.computeIfAbsent(
        key(namespace, service),
        k -> {
          if (clusterIps.size() >= 254) {
            throw new IllegalStateException("no free cluster IP left in 127.0.2.0/24");
          }
          return "127.0.2." + (clusterIps.size() + 1);
        });
  }

  private String statefulIp(String namespace, String set, int ordinal) {
    int block = statefulBlocks.computeIfAbsent(key(namespace, set), k -> statefulBlocks.size());
    int host = 11 + 10 * block + Math.min(ordinal, 9);
    if (ordinal > 9 || host > 254) {
      throw new IllegalStateException(
          "StatefulSet " + set + ": the local cluster runs at most 10 pods a set");
    }
    return "127.0.0." + host;
  }

  /**
   * Replaces every cluster DNS name in {@code text} by an address: a Service by its cluster IP, a
   * StatefulSet pod ({@code <pod>.<service>.<ns>.svc}) by its own. Unknown names stay as they are.
   */
  public String resolveNames(String text) {
    Matcher m = CLUSTER_NAME.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String[] labels = m.group(1).split("\\.");
      String ip =
          labels.length == 2
              ? serviceIp(labels[1], labels[0])
              : podDnsIp(labels[2], labels[1], labels[0]);
      if (ip == null) {
        log.atWarn()
            .addKeyValue("name", m.group())
            .log("cluster DNS name not resolvable in the local cluster");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(ip == null ? m.group() : ip));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A Service's cluster IP, given even before the Service exists (an operator may create it after
   * the pods that name it start): connections are refused until then, as an unanswered DNS name is.
   */
  private String serviceIp(String namespace, String service) {
    var svc = client.services().inNamespace(namespace).withName(service).get();
    return svc != null && "None".equals(svc.getSpec().getClusterIP())
        ? null
        : clusterIp(namespace, service);
  }

  /**
   * A StatefulSet pod's address by its DNS name, given even before the StatefulSet exists: Consul's
   * agents name the servers in their configuration, and the operator may create the agents'
   * DaemonSet before the servers' StatefulSet (the two are created in parallel). Mapped once at the
   * agent's start, an unresolved name stays unresolved: the agent never joins, never turns ready,
   * and its node's pods get no DNS. The set created later gets the same block. A set that exists
   * under another Service does not answer to this one.
   */
  private String podDnsIp(String namespace, String service, String pod) {
    Matcher m = ORDINAL.matcher(pod);
    if (!m.matches()) {
      return null;
    }
    StatefulSet set =
        client.apps().statefulSets().inNamespace(namespace).withName(m.group(1)).get();
    if (set != null && !service.equals(set.getSpec().getServiceName())) {
      return null;
    }
    synchronized (this) {
      return statefulIp(namespace, m.group(1), Integer.parseInt(m.group(2)));
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
