package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.testkit.consul.TestConsulCluster;
import dev.bellhop.testkit.consul.TestConsulNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs what the operator rendered for a ConsulCluster in the mock API server (ConfigMap content,
 * container arguments and environment) with the real consul binary, one process per pod, and plays
 * the kubelet: creates the pods in the mock with the processes' addresses as pod IPs.
 *
 * <p>Only what a cluster supplies differently is mapped: the pods' DNS names and IPs (and the pod's
 * own loopback) onto the testkit's loopback addresses, the data dir onto the node's dir, mounted
 * files onto local copies ({@code files}), and {@code -config-dir=/consul/config} onto the same
 * file given as {@code -config-file}. Every other key and argument is run verbatim.
 */
final class RenderedConsul {
  static final String NODE = "node-a";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Z_]+)\\)");

  private final KubernetesClient client;
  private final String ns;
  private final String name;
  private final Map<String, String> files;
  private final ConfigMap config;
  private final StatefulSet statefulSet;
  private final DaemonSet daemonSet;

  private RenderedConsul(
      KubernetesClient client, String ns, String name, Map<String, String> files) {
    this.client = client;
    this.ns = ns;
    this.name = name;
    this.files = files;
    this.statefulSet =
        awaitObject(
            () -> client.apps().statefulSets().inNamespace(ns).withName(name + "-server").get());
    var cc =
        client
            .resources(dev.bellhop.operator.crd.ConsulCluster.class)
            .inNamespace(ns)
            .withName(name)
            .get();
    this.daemonSet =
        !ClusterSettings.of(cc).agents()
            ? null
            : awaitObject(
                () -> client.apps().daemonSets().inNamespace(ns).withName(name + "-agent").get());
    this.config = client.configMaps().inNamespace(ns).withName(name + "-config").get();
  }

  /**
   * Starts the servers (and one agent when the operator made a DaemonSet) and creates their pods.
   *
   * @param files path in the container to local file, for mounted Secrets
   */
  static TestConsulCluster start(
      KubernetesClient client, String ns, String name, Map<String, String> files) {
    RenderedConsul r = new RenderedConsul(client, ns, name, files);
    int servers = r.statefulSet.getSpec().getReplicas();
    TestConsulCluster consul =
        TestConsulCluster.builder()
            .servers(servers)
            .agents(r.daemonSet == null ? 0 : 1)
            .nodeConfig(r::configOf)
            .nodeArgs(r::argsOf)
            .start();
    for (TestConsulNode node : consul.nodes()) {
      // As a workload controller makes them: the template's labels and annotations (its revision).
      var template =
          (node.server()
                  ? r.statefulSet.getSpec().getTemplate()
                  : r.daemonSet.getSpec().getTemplate())
              .getMetadata();
      client
          .pods()
          .resource(
              pod(
                  ns,
                  template.getLabels(),
                  template.getAnnotations(),
                  r.podName(node),
                  node.address()))
          .create();
    }
    client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName(name + "-server")
        .editStatus(
            s -> {
              s.setStatus(new StatefulSetStatus());
              s.getStatus().setReplicas(servers);
              s.getStatus().setReadyReplicas(servers);
              return s;
            });
    return consul;
  }

  /**
   * Projects a server's TLS files again from the current StatefulSet and Secret, as a kubelet does
   * for a pod it recreates: a restarted process then loads renewed certificates.
   */
  static void remountTls(KubernetesClient client, String ns, String name, TestConsulNode node) {
    RenderedConsul r = new RenderedConsul(client, ns, name, Map.of());
    Container c = r.container(node);
    for (String file : List.of("ca.crt", "tls.crt", "tls.key")) {
      r.mountedFile(node, c, ConsulClusterResources.TLS_DIR + "/" + file);
    }
  }

  /** Servers are the StatefulSet's pods ({@code server-1} is pod 0), the agent a DaemonSet pod. */
  private String podName(TestConsulNode node) {
    return node.server()
        ? name + "-server-" + (Integer.parseInt(node.name().substring("server-".length())) - 1)
        : name + "-agent-x1";
  }

  private String configOf(TestConsulNode node, List<TestConsulNode> servers) {
    String key =
        node.server() ? ConsulClusterResources.SERVER_CONFIG : ConsulClusterResources.CLIENT_CONFIG;
    try {
      ObjectNode c = (ObjectNode) JSON.readTree(config.getData().get(key));
      assertThat(c.get("bind_addr").asText()).isEqualTo("0.0.0.0");
      assertThat(c.get("client_addr").asText()).isEqualTo("0.0.0.0");
      c.put("bind_addr", node.address());
      c.put("client_addr", node.address());
      c.put("data_dir", node.dataDir().resolve("data").toString());
      if (c.has("addresses")) {
        // The pod's own loopback: on a shared host, the node's address.
        ObjectNode addresses = (ObjectNode) c.get("addresses");
        addresses
            .fieldNames()
            .forEachRemaining(f -> assertThat(addresses.get(f).asText()).isEqualTo("127.0.0.1"));
        List<String> names = new ArrayList<>();
        addresses.fieldNames().forEachRemaining(names::add);
        names.forEach(f -> addresses.put(f, node.address()));
      }
      ArrayNode join = JSON.createArrayNode();
      Pattern podDns =
          Pattern.compile(
              Pattern.quote(name)
                  + "-server-(\\d+)\\."
                  + Pattern.quote(name)
                  + "-server\\."
                  + Pattern.quote(ns)
                  + "\\.svc");
      for (JsonNode dns : c.get("retry_join")) {
        Matcher m = podDns.matcher(dns.asText());
        assertThat(m.matches()).as("retry_join %s is a server pod's DNS name", dns).isTrue();
        join.add(servers.get(Integer.parseInt(m.group(1))).address());
      }
      c.set("retry_join", join);
      Container container = container(node);
      for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
        var field = it.next();
        if (!field.getValue().isTextual()) {
          continue;
        }
        String value = field.getValue().asText();
        String local =
            files.containsKey(value)
                ? files.get(value)
                : value.startsWith("/consul/tls/") ? mountedFile(node, container, value) : null;
        if (local != null) {
          field.setValue(JSON.getNodeFactory().textNode(local));
        }
      }
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The container's arguments after {@code agent}, with $(VAR) expanded as the kubelet would. */
  private List<String> argsOf(TestConsulNode node) {
    Container c =
        (node.server() ? statefulSet.getSpec().getTemplate() : daemonSet.getSpec().getTemplate())
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(c.getCommand()).containsExactly("consul");
    assertThat(c.getArgs().get(0)).isEqualTo("agent");
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : c.getEnv()) {
      env.put(e.getName(), envValue(e, node));
    }
    List<String> args = new ArrayList<>();
    for (String arg : c.getArgs().subList(1, c.getArgs().size())) {
      if (arg.equals("-config-dir=" + ConsulClusterResources.CONFIG_DIR)) {
        continue; // its one file is the -config-file the testkit passes
      }
      Matcher m = VAR.matcher(arg);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        assertThat(value).as("$(%s) in %s", m.group(1), arg).isNotNull();
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      args.add(secretFile(node, c, out.toString()));
    }
    return args;
  }

  /**
   * A {@code -config-file} in a mounted Secret (the gossip key) as the kubelet would mount it: the
   * Secret's value written to a file of the node's.
   */
  private String secretFile(TestConsulNode node, Container c, String arg) {
    String flag = "-config-file=";
    return arg.startsWith(flag) ? flag + mountedFile(node, c, arg.substring(flag.length())) : arg;
  }

  private Container container(TestConsulNode node) {
    return (node.server() ? statefulSet.getSpec().getTemplate() : daemonSet.getSpec().getTemplate())
        .getSpec()
        .getContainers()
        .get(0);
  }

  /**
   * A file of a mounted Secret as the kubelet projects it: the volume's {@code items} (key to path)
   * when it lists any, else every key; a path the volume does not project fails the test.
   */
  private String mountedFile(TestConsulNode node, Container c, String path) {
    var spec =
        (node.server() ? statefulSet.getSpec().getTemplate() : daemonSet.getSpec().getTemplate())
            .getSpec();
    for (var mount : c.getVolumeMounts()) {
      if (!path.startsWith(mount.getMountPath() + "/")) {
        continue;
      }
      var volume =
          spec.getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow();
      String file = path.substring(mount.getMountPath().length() + 1);
      String key = file;
      var items = volume.getSecret().getItems();
      if (items != null && !items.isEmpty()) {
        key =
            items.stream()
                .filter(i -> i.getPath().equals(file))
                .map(i -> i.getKey())
                .findFirst()
                .orElseThrow(() -> new AssertionError(path + " is not projected by its volume"));
      }
      String value =
          ConsulClusterResources.secretValue(
              client.secrets().inNamespace(ns).withName(volume.getSecret().getSecretName()).get(),
              key);
      assertThat(value).as("%s in Secret %s", path, volume.getSecret().getSecretName()).isNotNull();
      try {
        Path local = node.dataDir().resolve(mount.getName() + "-" + Path.of(path).getFileName());
        Files.createDirectories(node.dataDir());
        Files.writeString(local, value);
        return local.toString();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new AssertionError(path + " is in no mounted volume");
  }

  private String envValue(EnvVar e, TestConsulNode node) {
    if (e.getValue() != null) {
      return e.getValue();
    }
    if (e.getValueFrom().getFieldRef() != null) {
      return switch (e.getValueFrom().getFieldRef().getFieldPath()) {
        case "metadata.name" -> podName(node);
        case "status.podIP" -> node.address();
        case "spec.nodeName" -> NODE;
        default ->
            throw new IllegalArgumentException(e.getValueFrom().getFieldRef().getFieldPath());
      };
    }
    var ref = e.getValueFrom().getSecretKeyRef();
    return ConsulClusterResources.secretValue(
        client.secrets().inNamespace(ns).withName(ref.getName()).get(), ref.getKey());
  }

  /**
   * A running, ready pod of a server or agent on {@link #NODE}, as its workload controller and
   * kubelet would report it: the template's labels and annotations, the process's address.
   */
  static Pod pod(
      String ns,
      Map<String, String> labels,
      Map<String, String> annotations,
      String podName,
      String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName)
        .withNamespace(ns)
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE)
        .addNewContainer()
        .withName("consul")
        .withImage("consul")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private static <T> T awaitObject(java.util.function.Supplier<T> get) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(get::get, o -> o != null);
  }

  /**
   * SIGKILLs every node (leave_on_terminate would make SIGTERM a slow graceful leave), then closes.
   */
  static void close(TestConsulCluster consul) {
    if (consul != null) {
      consul.nodes().forEach(consul::kill);
      consul.close();
    }
  }
}
