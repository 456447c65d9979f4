package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.AGENT;
import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects of a ConsulCluster, built from its {@link ClusterSettings}. Pure
 * functions: what is built here is exactly what the operator writes (and what the fidelity test
 * runs).
 */
public final class ConsulClusterResources {
  public static final int SERVER_RPC_PORT = 8300;
  public static final int SERF_LAN_PORT = 8301;
  public static final int HTTP_PORT = 8500;
  public static final int HTTPS_PORT = 8501;

  /**
   * Consul's DNS port, on the pods and on the Services alike: clients name the port (DNS_SERVER
   * host:port), so nothing needs the privileged 53, a port a host's own resolver may hold.
   */
  public static final int DNS_PORT = 8600;

  public static final String SERVER_CONFIG = "server.json";
  public static final String CLIENT_CONFIG = "client.json";
  public static final String CONFIG_DIR = "/consul/config";
  public static final String DATA_DIR = "/consul/data";
  public static final String TLS_DIR = "/consul/tls";
  public static final String GOSSIP_DIR = "/consul/gossip";
  static final String GOSSIP_CONFIG = "gossip.json";

  /** On the pod template: a change of the rendered configuration rolls the pods. */
  public static final String CONFIG_HASH = "bellhop.dev/config-hash";

  /** The uid/gid of the consul user of the official image. */
  private static final long CONSUL_UID = 100;

  private static final long CONSUL_GID = 1000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Every map written with its keys sorted: see {@link #hashOf}. */
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private static final KubernetesSerialization KUBE_JSON = new KubernetesSerialization();

  private ConsulClusterResources() {}

  // ------------------------------------------------------------------ configuration

  /** The agent configuration (server or client), as Consul reads it from {@value #CONFIG_DIR}. */
  static Map<String, Object> agentConfig(ClusterSettings s, boolean server) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("datacenter", s.datacenter());
    c.put("server", server);
    if (server) {
      c.put("bootstrap_expect", s.servers());
    }
    c.put("data_dir", DATA_DIR);
    // Listen everywhere in the pod; -advertise=$(POD_IP) tells the others where to reach it.
    c.put("bind_addr", "0.0.0.0");
    c.put("client_addr", "0.0.0.0");
    if (s.tls()) {
      // Plain HTTP only inside the pod (probes); the API is HTTPS outside.
      c.put("addresses", Map.of("http", "127.0.0.1"));
    }
    List<String> join = new ArrayList<>();
    for (int i = 0; i < s.servers(); i++) {
      join.add(s.serverPodDns(i));
    }
    c.put("retry_join", join);
    c.put("retry_interval", "2s");
    c.put("leave_on_terminate", true);
    c.put("disable_update_check", true);
    c.put("log_level", "INFO");
    Map<String, Object> ports = new LinkedHashMap<>();
    ports.put("http", HTTP_PORT);
    ports.put("https", s.tls() ? HTTPS_PORT : -1);
    ports.put("dns", DNS_PORT);
    ports.put("grpc", -1);
    c.put("ports", ports);
    if (server) {
      c.put("ui", s.ui());
      c.put("performance", Map.of("raft_multiplier", 1));
      c.put("autopilot", Map.of("cleanup_dead_servers", true));
    }
    if (s.acl()) {
      Map<String, Object> acl = new LinkedHashMap<>();
      acl.put("enabled", true);
      acl.put("default_policy", "deny");
      acl.put("down_policy", "extend-cache");
      acl.put("enable_token_persistence", true);
      c.put("acl", acl);
    }
    if (s.tls()) {
      // Each role mounts its own certificate as tls.crt/tls.key (tlsVolume): with Bellhop's CA an
      // agent's is a client certificate, which verify_server_hostname keeps from posing as a
      // server.
      c.put("ca_file", TLS_DIR + "/ca.crt");
      c.put("cert_file", TLS_DIR + "/tls.crt");
      c.put("key_file", TLS_DIR + "/tls.key");
      c.put("verify_incoming", false);
      c.put("verify_incoming_rpc", true);
      c.put("verify_outgoing", true);
      c.put("verify_server_hostname", true);
    }
    return c;
  }

  /** The keys of the TLS Secret that the pods mount. */
  static List<String> tlsKeys(ClusterSettings s) {
    return s.tlsGenerated()
        ? List.of(
            ClusterCertificates.CA_CRT,
            ClusterCertificates.SERVER_CRT,
            ClusterCertificates.SERVER_KEY,
            ClusterCertificates.CLIENT_CRT,
            ClusterCertificates.CLIENT_KEY)
        : List.of("ca.crt", "tls.crt", "tls.key");
  }

  /**
   * The hash on the pod templates: a configuration change rolls the pods, except for what only
   * matters when a cluster first forms ({@code bootstrap_expect}) or when an agent (re)joins
   * ({@code retry_join}): scaling the servers then changes only the replica count, and running
   * servers are not restarted for it. {@code tlsHash} ({@link PodSecrets#tlsHash}) makes renewed
   * certificates roll them.
   */
  static String rollingHash(ClusterSettings s, String tlsHash) {
    Map<String, Object> server = agentConfig(s, true);
    Map<String, Object> client = agentConfig(s, false);
    for (Map<String, Object> c : List.of(server, client)) {
      c.remove("bootstrap_expect");
      c.remove("retry_join");
    }
    // Without TLS the hash is what it was before certificates were part of it: no roll on upgrade.
    return tlsHash.isEmpty()
        ? hash(render(server), render(client))
        : hash(render(server), render(client), tlsHash);
  }

  static String render(Map<String, Object> config) {
    try {
      return JSON.writeValueAsString(config) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ConfigMap configMap(ClusterSettings s) {
    Map<String, String> data = new TreeMap<>();
    data.put(SERVER_CONFIG, render(agentConfig(s, true)));
    data.put(CLIENT_CONFIG, render(agentConfig(s, false)));
    return new ConfigMapBuilder()
        .withMetadata(meta(s, s.configMapName(), SERVER))
        .withData(data)
        .build();
  }

  /**
   * The command line of a server or agent container ($(VAR) expanded by the kubelet from the env).
   */
  static List<String> args(ClusterSettings s, boolean server) {
    List<String> args = new ArrayList<>();
    args.add("agent");
    args.add("-config-dir=" + CONFIG_DIR);
    args.add(server ? "-node=$(POD_NAME)" : "-node=$(NODE_NAME)");
    args.add("-advertise=$(POD_IP)");
    if (s.gossip()) {
      // A file, not -encrypt=<key>: a command line is visible to every process on the node.
      args.add("-config-file=" + GOSSIP_DIR + "/" + GOSSIP_CONFIG);
    }
    return args;
  }

  /** Every object of a cluster: its name, the cluster's namespace, the component's labels. */
  private static ObjectMeta meta(ClusterSettings s, String name, String component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(s.namespace())
        .withLabels(s.labels(component))
        .build();
  }

  /**
   * A pod's volumes: its configuration, {@code more}, the TLS files when TLS is on, the gossip
   * key's configuration file when gossip is encrypted.
   */
  private static List<Volume> volumes(ClusterSettings s, String config, Volume... more) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(configVolume(s, config));
    volumes.addAll(List.of(more));
    if (s.tls()) {
      volumes.add(tlsVolume(s, SERVER_CONFIG.equals(config)));
    }
    if (s.gossip()) {
      volumes.add(
          new VolumeBuilder()
              .withName("gossip")
              .withNewSecret()
              .withSecretName(s.gossipConfigSecret())
              .endSecret()
              .build());
    }
    return volumes;
  }

  private static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  // ------------------------------------------------------------------ servers

  static StatefulSet statefulSet(ClusterSettings s, String configHash) {
    var claim =
        new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("data")
            .withLabels(s.labels(SERVER))
            .endMetadata()
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withStorageClassName(s.storageClassName())
            .withNewResources()
            .addToRequests("storage", new Quantity(s.storageSize()))
            .endResources()
            .endSpec()
            .build();
    return new StatefulSetBuilder()
        .withMetadata(meta(s, s.serverName(), SERVER))
        .withNewSpec()
        .withReplicas(s.servers())
        .withServiceName(s.serverName())
        .withPodManagementPolicy("Parallel")
        // Bellhop restarts the servers itself, one at a time, gated on Consul's health
        // (ServerRoller).
        .withNewUpdateStrategy()
        .withType("OnDelete")
        .endUpdateStrategy()
        .withNewSelector()
        .withMatchLabels(s.selector(SERVER))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(s.labels(SERVER))
        .addToAnnotations(CONFIG_HASH, configHash)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(30L)
        .withSecurityContext(securityContext())
        .withNewAffinity()
        .withNewPodAntiAffinity()
        .addNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewLabelSelector()
        .withMatchLabels(s.selector(SERVER))
        .endLabelSelector()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAntiAffinity()
        .endAffinity()
        .withContainers(container(s, true))
        .withVolumes(volumes(s, SERVER_CONFIG))
        .endSpec()
        .endTemplate()
        .withVolumeClaimTemplates(claim)
        .endSpec()
        .build();
  }

  static Service headlessService(ClusterSettings s) {
    List<ServicePort> ports = new ArrayList<>();
    ports.add(port("server", SERVER_RPC_PORT, SERVER_RPC_PORT, "TCP"));
    ports.add(port("serflan-tcp", SERF_LAN_PORT, SERF_LAN_PORT, "TCP"));
    ports.add(port("serflan-udp", SERF_LAN_PORT, SERF_LAN_PORT, "UDP"));
    ports.add(
        s.tls()
            ? port("https", HTTPS_PORT, HTTPS_PORT, "TCP")
            : port("http", HTTP_PORT, HTTP_PORT, "TCP"));
    ports.add(port("dns-tcp", DNS_PORT, DNS_PORT, "TCP"));
    ports.add(port("dns-udp", DNS_PORT, DNS_PORT, "UDP"));
    return new ServiceBuilder()
        .withMetadata(meta(s, s.serverName(), SERVER))
        .withNewSpec()
        .withClusterIP("None")
        // Servers must find each other before any is ready (there is no leader without them).
        .withPublishNotReadyAddresses(true)
        .withSelector(s.selector(SERVER))
        .withPorts(ports)
        .endSpec()
        .build();
  }

  /** The client Service: the servers' HTTP(S) API and DNS, for applications and Bellhop's users. */
  static Service clientService(ClusterSettings s) {
    return apiAndDns(s, s.clientServiceName(), SERVER, null);
  }

  /** A ClusterIP Service for the HTTP(S) API and DNS of the pods of {@code component}. */
  private static Service apiAndDns(
      ClusterSettings s, String name, String component, String internalTrafficPolicy) {
    return new ServiceBuilder()
        .withMetadata(meta(s, name, component))
        .withNewSpec()
        .withType("ClusterIP")
        .withInternalTrafficPolicy(internalTrafficPolicy)
        .withSelector(s.selector(component))
        .withPorts(
            s.tls()
                ? port("https", HTTPS_PORT, HTTPS_PORT, "TCP")
                : port("http", HTTP_PORT, HTTP_PORT, "TCP"),
            port("dns-tcp", DNS_PORT, DNS_PORT, "TCP"),
            port("dns-udp", DNS_PORT, DNS_PORT, "UDP"))
        .endSpec()
        .build();
  }

  static Service uiService(ClusterSettings s) {
    return new ServiceBuilder()
        .withMetadata(meta(s, s.uiServiceName(), SERVER))
        .withNewSpec()
        .withType(s.uiServiceType())
        .withSelector(s.selector(SERVER))
        .withPorts(
            s.tls() ? port("https", 443, HTTPS_PORT, "TCP") : port("http", 80, HTTP_PORT, "TCP"))
        .endSpec()
        .build();
  }

  /**
   * Carries over what the API server allocated to a stored Service into its desired update: the
   * cluster IP (immutable once set), and node ports where the desired type still has them, so a
   * spec change does not move them. A Service switched to ClusterIP drops them: the API server
   * refuses a ClusterIP Service with a nodePort.
   */
  static void keepAllocated(Service desired, Service actual) {
    if (actual.getSpec() == null || "None".equals(desired.getSpec().getClusterIP())) {
      return;
    }
    desired.getSpec().setClusterIP(actual.getSpec().getClusterIP());
    desired.getSpec().setClusterIPs(actual.getSpec().getClusterIPs());
    String type = desired.getSpec().getType();
    if (!"NodePort".equals(type) && !"LoadBalancer".equals(type)) {
      return;
    }
    for (var port : desired.getSpec().getPorts()) {
      actual.getSpec().getPorts().stream()
          .filter(p -> port.getName().equals(p.getName()) && p.getNodePort() != null)
          .findFirst()
          .ifPresent(p -> port.setNodePort(p.getNodePort()));
    }
  }

  /**
   * The agents' API and DNS for the pods of each node: {@code internalTrafficPolicy: Local} keeps a
   * pod's queries on its own node's agent (none there: dropped, as kube-proxy does), which is what
   * the agents' host ports did, without the host ports Pod Security refuses.
   */
  static Service agentService(ClusterSettings s) {
    return apiAndDns(s, s.agentName(), AGENT, "Local");
  }

  static PodDisruptionBudget podDisruptionBudget(ClusterSettings s) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(s, s.serverName(), SERVER))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(s.selector(SERVER))
        .endSelector()
        .endSpec()
        .build();
  }

  // ------------------------------------------------------------------ agents

  static DaemonSet daemonSet(ClusterSettings s, String configHash) {
    return new DaemonSetBuilder()
        .withMetadata(meta(s, s.agentName(), AGENT))
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(s.selector(AGENT))
        .endSelector()
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(1))
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(s.labels(AGENT))
        .addToAnnotations(CONFIG_HASH, configHash)
        .endMetadata()
        .withNewSpec()
        .withTerminationGracePeriodSeconds(10L)
        .withSecurityContext(securityContext())
        .withContainers(container(s, false))
        .withVolumes(volumes(s, CLIENT_CONFIG, emptyDir("data")))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  // ------------------------------------------------------------------ secrets

  /** A fresh gossip key: 32 random bytes, base64 (what {@code consul keygen} prints). */
  static String newGossipKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  static Secret gossipSecret(ClusterSettings s, String key) {
    return new SecretBuilder()
        .withMetadata(meta(s, s.gossipSecret(), SERVER))
        .withType("Opaque")
        .addToData(s.gossipKey(), base64(key))
        .build();
  }

  /** The gossip key as the Consul configuration file the pods load ({@code -config-file}). */
  static Secret gossipConfigSecret(ClusterSettings s, String key) {
    String config;
    try {
      config = JSON.writeValueAsString(Map.of("encrypt", key.trim()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return new SecretBuilder()
        .withMetadata(meta(s, s.gossipConfigSecret(), SERVER))
        .withType("Opaque")
        .addToData(GOSSIP_CONFIG, base64(config))
        .build();
  }

  /** Bellhop's CA and certificates ({@link ClusterCertificates}); {@code pem} by key. */
  static Secret tlsSecret(ClusterSettings s, Map<String, String> pem) {
    Map<String, String> data = new TreeMap<>();
    pem.forEach((k, v) -> data.put(k, base64(v)));
    return new SecretBuilder()
        .withMetadata(meta(s, ClusterSettings.generatedTlsSecret(s.name()), SERVER))
        .withType("Opaque")
        .withData(data)
        .build();
  }

  static Secret tokenSecret(ClusterSettings s, String name, Map<String, String> values) {
    Map<String, String> data = new TreeMap<>();
    values.forEach((k, v) -> data.put(k, base64(v)));
    return new SecretBuilder()
        .withMetadata(meta(s, name, SERVER))
        .withType("Opaque")
        .withData(data)
        .build();
  }

  static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A value of a Secret's data (or stringData), or null. */
  static String secretValue(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return new String(
          Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return secret.getStringData() == null ? null : secret.getStringData().get(key);
  }

  /**
   * The hash of an object's JSON with every map's keys in order. Its JSON as written would do only
   * within one JVM: {@code Map.of} (the labels) iterates in an order drawn at random per JVM, so
   * every operator restart changed the servers' revision and rolled them all (found by
   * HotelSystemE2EIT's rollout after its operator restart).
   */
  static String hashOf(Object o) {
    try {
      return hash(
          CANONICAL.writeValueAsString(CANONICAL.readValue(KUBE_JSON.asJson(o), Object.class)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hash(String... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        digest.update(p.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ parts

  private static Container container(ClusterSettings s, boolean server) {
    List<EnvVar> env = new ArrayList<>();
    env.add(fieldEnv("POD_NAME", "metadata.name"));
    env.add(fieldEnv("POD_IP", "status.podIP"));
    env.add(fieldEnv("NODE_NAME", "spec.nodeName"));
    List<ContainerPort> ports = new ArrayList<>();
    if (server) {
      ports.add(containerPort("server", SERVER_RPC_PORT, "TCP", null));
    }
    ports.add(containerPort("serflan-tcp", SERF_LAN_PORT, "TCP", null));
    ports.add(containerPort("serflan-udp", SERF_LAN_PORT, "UDP", null));
    // No host ports (Pod Security refuses them even at baseline): a node's pods reach its agent
    // through the node-local agent Service.
    ports.add(
        s.tls()
            ? containerPort("https", HTTPS_PORT, "TCP", null)
            : containerPort("http", HTTP_PORT, "TCP", null));
    ports.add(containerPort("dns-tcp", DNS_PORT, "TCP", null));
    ports.add(containerPort("dns-udp", DNS_PORT, "UDP", null));
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("data", DATA_DIR, false));
    mounts.add(mount("config", CONFIG_DIR, true));
    if (s.tls()) {
      mounts.add(mount("tls", TLS_DIR, true));
    }
    if (s.gossip()) {
      mounts.add(mount("gossip", GOSSIP_DIR, true));
    }
    return new ContainerBuilder()
        .withName("consul")
        .withImage(s.image())
        .withCommand("consul")
        .withArgs(args(s, server))
        .withEnv(env)
        .withPorts(ports)
        .withVolumeMounts(mounts)
        .withReadinessProbe(readinessProbe())
        .withResources(server ? s.serverResources() : s.agentResources())
        // What Pod Security "restricted" asks of every container.
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .build();
  }

  /**
   * Ready when the agent knows a raft leader: {@code /v1/status/leader} answers 200 with {@code ""}
   * while there is none, so the body is checked, not just the status. Plain HTTP on loopback works
   * with TLS too (see {@code addresses.http}).
   */
  static Probe readinessProbe() {
    return new ProbeBuilder()
        .withNewExec()
        .withCommand(
            "/bin/sh",
            "-ec",
            "curl -s http://127.0.0.1:"
                + HTTP_PORT
                + "/v1/status/leader 2>/dev/null | grep -E '\".+\"'")
        .endExec()
        .withInitialDelaySeconds(5)
        .withPeriodSeconds(3)
        .withTimeoutSeconds(5)
        .withFailureThreshold(2)
        .withSuccessThreshold(1)
        .build();
  }

  private static io.fabric8.kubernetes.api.model.PodSecurityContext securityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(CONSUL_UID)
        .withRunAsGroup(CONSUL_GID)
        .withFsGroup(CONSUL_GID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private static Volume configVolume(ClusterSettings s, String key) {
    return new VolumeBuilder()
        .withName("config")
        .withNewConfigMap()
        .withName(s.configMapName())
        .addNewItem()
        .withKey(key)
        .withPath(key)
        .endItem()
        .endConfigMap()
        .build();
  }

  /**
   * A user's TLS Secret whole; Bellhop's, only the CA certificate and the role's own certificate
   * and key, as {@code tls.crt}/{@code tls.key}: the CA key and the other role's key reach no pod.
   */
  private static Volume tlsVolume(ClusterSettings s, boolean server) {
    var secret = new SecretVolumeSourceBuilder().withSecretName(s.tlsSecret());
    if (s.tlsGenerated()) {
      secret
          .addNewItem()
          .withKey(ClusterCertificates.CA_CRT)
          .withPath("ca.crt")
          .endItem()
          .addNewItem()
          .withKey(server ? ClusterCertificates.SERVER_CRT : ClusterCertificates.CLIENT_CRT)
          .withPath("tls.crt")
          .endItem()
          .addNewItem()
          .withKey(server ? ClusterCertificates.SERVER_KEY : ClusterCertificates.CLIENT_KEY)
          .withPath("tls.key")
          .endItem();
    }
    return new VolumeBuilder().withName("tls").withSecret(secret.build()).build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    VolumeMount m = new VolumeMount();
    m.setName(name);
    m.setMountPath(path);
    m.setReadOnly(readOnly ? true : null);
    return m;
  }

  private static EnvVar fieldEnv(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static ContainerPort containerPort(
      String name, int port, String protocol, Integer hostPort) {
    return new ContainerPortBuilder()
        .withName(name)
        .withContainerPort(port)
        .withProtocol(protocol)
        .withHostPort(hostPort)
        .build();
  }

  private static ServicePort port(String name, int port, int target, String protocol) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withTargetPort(new IntOrString(target))
        .withProtocol(protocol)
        .build();
  }
}
