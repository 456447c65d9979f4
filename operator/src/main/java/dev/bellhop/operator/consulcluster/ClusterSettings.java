package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A ConsulCluster's spec with every default applied, and the names of what Bellhop creates for it.
 * The one place the defaults live.
 */
record ClusterSettings(
    String namespace,
    String name,
    int servers,
    String image,
    String datacenter,
    boolean agents,
    String storageSize,
    String storageClassName,
    boolean gossip,
    String gossipSecret,
    String gossipKey,
    boolean gossipGenerated,
    boolean acl,
    boolean tls,
    String tlsSecret,
    boolean tlsGenerated,
    boolean ui,
    String uiServiceType,
    Duration rolloutPace,
    Duration rolloutStallAfter,
    ResourceRequirements serverResources,
    ResourceRequirements agentResources) {

  static final String DEFAULT_IMAGE = "hashicorp/consul:1.8.7";
  static final int DEFAULT_SERVERS = 3;
  static final String DEFAULT_STORAGE = "1Gi";
  static final String DEFAULT_DATACENTER = "dc1";
  static final String DEFAULT_GOSSIP_KEY = "key";

  /**
   * Autopilot re-checks server health every 2 s: 10 s gives it several looks at a restarted server.
   */
  static final Duration DEFAULT_ROLLOUT_PACE = Duration.ofSeconds(10);

  /**
   * A Consul server restarts and catches up in seconds; 5 min covers an image pull on a slow node.
   */
  static final Duration DEFAULT_ROLLOUT_STALL_AFTER = Duration.ofMinutes(5);

  /**
   * Burstable, not BestEffort (evicted first under node pressure): requests for scheduling, a
   * memory limit, and no CPU limit, as CFS throttling delays raft heartbeats and a throttled server
   * loses its leadership. A server of a small cluster holds well under 128Mi.
   */
  static final ResourceRequirements DEFAULT_SERVER_RESOURCES = resources("100m", "128Mi", "512Mi");

  static final ResourceRequirements DEFAULT_AGENT_RESOURCES = resources("50m", "64Mi", "256Mi");

  private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  static final String LABEL_CLUSTER = "bellhop.dev/consulcluster";
  static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  static final String SERVER = "server";
  static final String AGENT = "agent";

  static ClusterSettings of(ConsulCluster cc) {
    ConsulClusterSpec spec = cc.getSpec() == null ? new ConsulClusterSpec() : cc.getSpec();
    String name = cc.getMetadata().getName();
    var gossip = spec.getGossipEncryption();
    boolean gossipOn = gossip == null || gossip.getEnabled() == null || gossip.getEnabled();
    String gossipSecretName = gossip == null ? null : gossip.getSecretName();
    boolean generated = gossipOn && (gossipSecretName == null || gossipSecretName.isBlank());
    String gossipKey =
        gossip == null || gossip.getSecretKey() == null
            ? DEFAULT_GOSSIP_KEY
            : gossip.getSecretKey();
    var storage = spec.getStorage();
    var ui = spec.getUi();
    // Secure by default (issue #16): TLS from Bellhop's own CA unless turned off or a Secret named.
    var tls = spec.getTls();
    boolean tlsOn = tls == null || !Boolean.FALSE.equals(tls.getEnabled());
    boolean tlsGenerated =
        tlsOn && (tls == null || tls.getSecretName() == null || tls.getSecretName().isBlank());
    return new ClusterSettings(
        cc.getMetadata().getNamespace(),
        name,
        spec.getServers() == null ? DEFAULT_SERVERS : spec.getServers(),
        spec.getImage() == null ? DEFAULT_IMAGE : spec.getImage(),
        spec.getDatacenter() == null ? DEFAULT_DATACENTER : spec.getDatacenter(),
        spec.getAgents() != null && Boolean.TRUE.equals(spec.getAgents().getEnabled()),
        storage == null || storage.getSize() == null ? DEFAULT_STORAGE : storage.getSize(),
        storage == null ? null : storage.getStorageClassName(),
        gossipOn,
        !gossipOn ? null : generated ? name + "-gossip" : gossipSecretName,
        gossipKey,
        generated,
        // Secure by default (issue #16): default-deny ACLs unless turned off.
        spec.getAcl() == null || !Boolean.FALSE.equals(spec.getAcl().getEnabled()),
        tlsOn,
        !tlsOn ? null : tlsGenerated ? generatedTlsSecret(name) : tls.getSecretName(),
        tlsGenerated,
        ui == null || ui.getEnabled() == null || ui.getEnabled(),
        ui == null || ui.getServiceType() == null ? "ClusterIP" : ui.getServiceType(),
        spec.getRollout() == null || duration(spec.getRollout().getPace()) == null
            ? DEFAULT_ROLLOUT_PACE
            : duration(spec.getRollout().getPace()),
        spec.getRollout() == null || duration(spec.getRollout().getStallAfter()) == null
            ? DEFAULT_ROLLOUT_STALL_AFTER
            : duration(spec.getRollout().getStallAfter()),
        spec.getResources() == null ? DEFAULT_SERVER_RESOURCES : spec.getResources(),
        spec.getAgents() == null || spec.getAgents().getResources() == null
            ? DEFAULT_AGENT_RESOURCES
            : spec.getAgents().getResources());
  }

  private static ResourceRequirements resources(String cpu, String memory, String memoryLimit) {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(cpu))
        .addToRequests("memory", new Quantity(memory))
        .addToLimits("memory", new Quantity(memoryLimit))
        .build();
  }

  /**
   * A duration as Kubernetes users write them ({@code 30s}, {@code 2m}, {@code 1h30m}); null if it
   * is not one.
   */
  static Duration duration(String text) {
    var m = text == null || text.isEmpty() ? null : DURATION.matcher(text);
    if (m == null || !m.matches()) {
      return null;
    }
    long seconds = 0;
    for (int i = 1; i <= 3; i++) {
      if (m.group(i) != null) {
        seconds += Long.parseLong(m.group(i)) * (i == 1 ? 3600 : i == 2 ? 60 : 1);
      }
    }
    return Duration.ofSeconds(seconds);
  }

  /** The server StatefulSet, its headless Service and its PodDisruptionBudget. */
  String serverName() {
    return name + "-server";
  }

  /** The client Service (HTTP/HTTPS and DNS of the servers). */
  String clientServiceName() {
    return name;
  }

  String uiServiceName() {
    return name + "-ui";
  }

  String configMapName() {
    return name + "-config";
  }

  String agentName() {
    return name + "-agent";
  }

  String aclBootstrapSecret() {
    return name + "-acl-bootstrap";
  }

  String operatorTokenSecret() {
    return name + "-operator-token";
  }

  /**
   * The gateway's token: read on services and nodes, what its watches need (issue #16: before, it
   * read as the anonymous token, and its first read could come back empty for up to its 30 s wait
   * when it ran before the anonymous policy was set). The chart mounts it into the gateway.
   */
  String gatewayTokenSecret() {
    return name + "-gateway-token";
  }

  /** One token per Consul node ({@link AgentTokens}). */
  String agentTokenSecret() {
    return name + "-agent-tokens";
  }

  /**
   * The gossip key as a Consul configuration file, made by Bellhop from the key's Secret and
   * mounted into the pods, so that the key is on no command line (issue #16: {@code -encrypt=<key>}
   * showed in {@code ps} on every node).
   */
  String gossipConfigSecret() {
    return name + "-gossip-config";
  }

  /**
   * The Secrets holding this cluster's credentials: the management, operator, gateway and agent
   * tokens Bellhop writes (whether or not ACLs are on now: they outlive a switch), the gossip key,
   * and the TLS keys (Bellhop's CA, likewise, and a user's). None may be read by anything but
   * Consul and the operator.
   */
  Set<String> credentialSecrets() {
    return java.util.stream.Stream.of(
            aclBootstrapSecret(),
            operatorTokenSecret(),
            gatewayTokenSecret(),
            agentTokenSecret(),
            gossipSecret,
            gossipConfigSecret(),
            generatedTlsSecret(name),
            tlsSecret)
        .filter(name -> name != null && !name.isBlank())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  /** Bellhop's CA and the certificates it issued ({@link ClusterCertificates}). */
  static String generatedTlsSecret(String cluster) {
    return cluster + "-tls";
  }

  /** Stable DNS name of server pod {@code i} through the headless Service. */
  String serverPodDns(int i) {
    return serverName() + "-" + i + "." + serverName() + "." + namespace + ".svc";
  }

  int httpPort() {
    return tls ? ConsulClusterResources.HTTPS_PORT : ConsulClusterResources.HTTP_PORT;
  }

  String scheme() {
    return tls ? "https" : "http";
  }

  Map<String, String> labels(String component) {
    return ConsulPods.labels(name, component);
  }

  /** Selects the pods of one component (server or agent) of this cluster. */
  Map<String, String> selector(String component) {
    return Map.of(LABEL_CLUSTER, name, LABEL_COMPONENT, component);
  }
}
