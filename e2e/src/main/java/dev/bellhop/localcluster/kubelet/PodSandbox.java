package dev.bellhop.localcluster.kubelet;

import dev.bellhop.localcluster.apiserver.admission.ServiceAccountAdmission;
import dev.bellhop.localcluster.network.PodNetwork;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a container runtime gives a pod, played on a shared host: its volumes as directories, its
 * environment, and its own network. Since every pod shares the host's file system and network, the
 * paths and addresses a container names are mapped onto the pod's own: a volume's mount path onto
 * its directory, {@code 0.0.0.0} and {@code 127.0.0.1} onto the pod's address, and cluster DNS
 * names onto local addresses ({@link PodNetwork#resolveNames}). The container's {@code
 * terminationMessagePath} is mapped the same way, onto a file of the pod's directory ({@link
 * #terminationLog}). The mapping applies to the environment, the command line, probes and the files
 * of mounted ConfigMaps.
 */
final class PodSandbox {
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)|\\$\\$");
  private static final Pattern OWN_ADDRESS =
      Pattern.compile("(?<![\\d.])(?:0\\.0\\.0\\.0|127\\.0\\.0\\.1)(?![\\d])");

  private final KubernetesClient client;
  private final PodNetwork network;
  private final Pod pod;
  private final String podIp;
  private final String hostIp;
  private final Path dir;

  /** Projected token files and what they project. */
  private final Map<Path, ServiceAccountTokenProjection> tokenFiles = new LinkedHashMap<>();

  /** Mount path to host directory, longest first (so /a/b wins over /a). */
  private final Map<String, Path> mounts = new LinkedHashMap<>();

  /** The container's terminationMessagePath, and the host file it is mapped onto. */
  private final String terminationPath;

  private final Path terminationLog;

  PodSandbox(
      KubernetesClient client,
      PodNetwork network,
      Pod pod,
      String podIp,
      String hostIp,
      Path podDir,
      Path claimsDir) {
    this.client = client;
    this.network = network;
    this.pod = pod;
    this.podIp = podIp;
    this.hostIp = hostIp;
    this.dir = podDir;
    Container c = pod.getSpec().getContainers().get(0);
    List<VolumeMount> list =
        new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
    list.sort(Comparator.comparing((VolumeMount m) -> m.getMountPath().length()).reversed());
    for (VolumeMount m : list) {
      mounts.put(m.getMountPath(), volumePath(m.getName(), claimsDir));
    }
    terminationPath = TerminationMessage.path(c);
    terminationLog = dir.resolve(c.getName() + ".termination-log");
  }

  Path dir() {
    return dir;
  }

  /**
   * The host file of the container's termination message, {@code <container>.termination-log} in
   * the pod's directory: like the kubelet's bind mount, a file the process can write, read at its
   * exit ({@link TerminationMessage}).
   */
  Path terminationLog() {
    return terminationLog;
  }

  /**
   * The container's environment, as the kubelet builds it, mapped onto this host. Clients find the
   * API server as in a cluster ({@code KUBERNETES_SERVICE_HOST}/{@code _PORT}) and their
   * ServiceAccount token in its projected file. Two additions, because every pod shares this host:
   * the token and namespace files are named by fabric8's variables ({@code
   * KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN}, {@code KUBENAMESPACE}), since fabric8 reads the fixed
   * path {@code /var/run/secrets/...} otherwise, and the API server's CA ({@code
   * KUBERNETES_CERTS_CA_FILE}: the {@code ca.crt} a projected token volume carries); {@code
   * KUBERNETES_MASTER} names the server's URL as the kubeconfig does. {@code HOME} is the pod's own
   * directory, so no kubeconfig of the host's user is picked up.
   */
  Map<String, String> environment(Container c, java.net.URI api, Path caFile) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOSTNAME", pod.getMetadata().getName());
    env.put("HOME", dir.toString());
    // The pod's own network: every Bellhop process binds BIND_ADDR.
    env.put("BIND_ADDR", podIp);
    env.put("KUBERNETES_SERVICE_HOST", api.getHost());
    env.put("KUBERNETES_SERVICE_PORT", Integer.toString(api.getPort()));
    env.put("KUBERNETES_MASTER", api.toString());
    String account = ServiceAccountAdmission.MOUNT_PATH;
    if (mounts.containsKey(account)) {
      env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", map(account + "/token"));
      env.put("KUBENAMESPACE", map(account + "/namespace"));
      env.put("KUBERNETES_CERTS_CA_FILE", caFile.toString());
    }
    for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
      Map<String, String> values =
          from.getConfigMapRef() != null
              ? configMap(from.getConfigMapRef().getName())
              : secret(from.getSecretRef().getName());
      values.forEach(
          (k, v) -> env.put((from.getPrefix() == null ? "" : from.getPrefix()) + k, map(v)));
    }
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      env.put(e.getName(), map(e.getValue() != null ? expand(e.getValue(), env) : valueFrom(e)));
    }
    return env;
  }

  private String valueFrom(EnvVar e) {
    var from = e.getValueFrom();
    if (from == null) {
      return "";
    }
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> pod.getMetadata().getNamespace();
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "spec.nodeName" -> pod.getSpec().getNodeName();
        case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
        case "status.podIP", "status.podIPs" -> podIp;
        case "status.hostIP", "status.hostIPs" -> hostIp;
        default ->
            throw new IllegalArgumentException(
                "env "
                    + e.getName()
                    + ": fieldRef "
                    + from.getFieldRef().getFieldPath()
                    + " is not supported by the local cluster");
      };
    }
    if (from.getSecretKeyRef() != null) {
      return required(
          secret(from.getSecretKeyRef().getName()).get(from.getSecretKeyRef().getKey()),
          e,
          from.getSecretKeyRef().getOptional());
    }
    if (from.getConfigMapKeyRef() != null) {
      return required(
          configMap(from.getConfigMapKeyRef().getName()).get(from.getConfigMapKeyRef().getKey()),
          e,
          from.getConfigMapKeyRef().getOptional());
    }
    throw new IllegalArgumentException(
        "env " + e.getName() + ": this valueFrom is not supported by the local cluster");
  }

  private static String required(String value, EnvVar e, Boolean optional) {
    if (value == null && !Boolean.TRUE.equals(optional)) {
      throw new IllegalStateException(
          "env " + e.getName() + ": the referenced key does not exist (yet)");
    }
    return value == null ? "" : value;
  }

  /**
   * $(VAR) references expanded from {@code env} as the kubelet does ({@code $$} is a literal $).
   */
  static String expand(String text, Map<String, String> env) {
    Matcher m = VAR.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = m.group(1) == null ? "$" : env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A container's path, address or cluster name mapped onto this host. */
  String map(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = OWN_ADDRESS.matcher(network.resolveNames(text)).replaceAll(podIp);
    // The termination file is mounted over whatever volume holds its path, as the kubelet mounts it
    // after the volumes.
    Map<String, Path> paths = new LinkedHashMap<>(mounts);
    paths.put(terminationPath, terminationLog);
    // One pass over all mount paths, longest first: replacing them one after another would map a
    // host path again when it starts with another mount's path (a repository under /tmp, with an
    // emptyDir mounted on /tmp, sent the token path to <pod>/volumes/tmp/<pod>/volumes/...).
    String alternatives =
        paths.keySet().stream()
            .sorted(java.util.Comparator.comparingInt(String::length).reversed())
            .map(Pattern::quote)
            .collect(java.util.stream.Collectors.joining("|"));
    Matcher m = Pattern.compile("(?<![\\w.-])(" + alternatives + ")(?=/|$|[^\\w.-])").matcher(out);
    StringBuilder mapped = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(mapped, Matcher.quoteReplacement(paths.get(m.group(1)).toString()));
    }
    m.appendTail(mapped);
    return mapped.toString();
  }

  // ------------------------------------------------------------------ volumes

  /**
   * Where a volume lives on the host: a StatefulSet claim or a PVC outlives the pod, the rest is
   * the pod's.
   */
  private Path volumePath(String name, Path claimsDir) {
    Volume v = volume(name);
    String ns = pod.getMetadata().getNamespace();
    if (v == null) {
      return claimsDir.resolve(
          ns + "." + name + "-" + pod.getMetadata().getName()); // a volumeClaimTemplate
    }
    if (v.getPersistentVolumeClaim() != null) {
      return claimsDir.resolve(ns + "." + v.getPersistentVolumeClaim().getClaimName());
    }
    return dir.resolve("volumes").resolve(name);
  }

  /**
   * Makes the mounted volumes: directories, and the files of ConfigMaps and Secrets; and the
   * termination file, empty, since each run of the container gets a new one from the kubelet.
   */
  void prepare() {
    Container c = pod.getSpec().getContainers().get(0);
    try {
      Files.createDirectories(dir);
      Files.write(terminationLog, new byte[0]);
      for (VolumeMount m :
          c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
        Path path = Files.createDirectories(mounts.get(m.getMountPath()));
        Volume v = volume(m.getName());
        if (v == null || v.getPersistentVolumeClaim() != null || v.getEmptyDir() != null) {
          continue;
        }
        if (v.getProjected() != null) {
          projected(path, v.getProjected());
        } else if (v.getConfigMap() != null) {
          write(path, configMap(v.getConfigMap().getName()), v.getConfigMap().getItems(), true);
        } else if (v.getSecret() != null) {
          write(path, secret(v.getSecret().getSecretName()), v.getSecret().getItems(), false);
        } else {
          throw new IllegalArgumentException(
              "volume "
                  + m.getName()
                  + ": only configMap, secret, projected, "
                  + "emptyDir and persistent volume claims are supported by the local cluster");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A projected volume: ServiceAccount tokens asked from the API server's TokenRequest API bound to
   * this pod (as the kubelet does), downward API fields, ConfigMaps and Secrets.
   */
  private void projected(Path path, ProjectedVolumeSource projected) throws IOException {
    for (VolumeProjection source : projected.getSources()) {
      if (source.getServiceAccountToken() != null) {
        ServiceAccountTokenProjection t = source.getServiceAccountToken();
        tokenFiles.put(path.resolve(t.getPath()), t);
      } else if (source.getDownwardAPI() != null) {
        for (var item : source.getDownwardAPI().getItems()) {
          String value =
              switch (item.getFieldRef() == null ? "" : item.getFieldRef().getFieldPath()) {
                case "metadata.namespace" -> pod.getMetadata().getNamespace();
                case "metadata.name" -> pod.getMetadata().getName();
                case "metadata.uid" -> pod.getMetadata().getUid();
                default ->
                    throw new IllegalArgumentException(
                        "downwardAPI "
                            + item.getPath()
                            + ": only metadata.namespace, name and uid are supported by the local cluster");
              };
          writeFile(path.resolve(item.getPath()), value);
        }
      } else if (source.getConfigMap() != null) {
        write(
            path,
            configMap(source.getConfigMap().getName()),
            source.getConfigMap().getItems(),
            true);
      } else if (source.getSecret() != null) {
        write(path, secret(source.getSecret().getName()), source.getSecret().getItems(), false);
      }
    }
    writeTokens();
  }

  /**
   * Asks a fresh token for every projected token file and writes it (at start and at 80% of its
   * life).
   */
  void writeTokens() {
    for (var f : tokenFiles.entrySet()) {
      long seconds =
          f.getValue().getExpirationSeconds() == null ? 3607 : f.getValue().getExpirationSeconds();
      TokenRequest answer =
          client
              .serviceAccounts()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getSpec().getServiceAccountName())
              .tokenRequest(
                  new TokenRequestBuilder()
                      .withNewSpec()
                      .withAudiences(
                          f.getValue().getAudience() == null
                              ? List.of()
                              : List.of(f.getValue().getAudience()))
                      .withExpirationSeconds(seconds)
                      .withNewBoundObjectRef()
                      .withApiVersion("v1")
                      .withKind("Pod")
                      .withName(pod.getMetadata().getName())
                      .withUid(pod.getMetadata().getUid())
                      .endBoundObjectRef()
                      .endSpec()
                      .build());
      try {
        writeFile(f.getKey(), answer.getStatus().getToken());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The shortest lifetime of this pod's projected tokens, 0 without any. */
  long tokenSeconds() {
    return tokenFiles.values().stream()
        .mapToLong(t -> t.getExpirationSeconds() == null ? 3607 : t.getExpirationSeconds())
        .min()
        .orElse(0);
  }

  /** Written whole then moved, so a reader never sees half a token. */
  private static void writeFile(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Volume volume(String name) {
    return pod.getSpec().getVolumes() == null
        ? null
        : pod.getSpec().getVolumes().stream()
            .filter(x -> x.getName().equals(name))
            .findFirst()
            .orElse(null);
  }

  private void write(Path dir, Map<String, String> data, List<KeyToPath> items, boolean mapContent)
      throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      data.forEach(files::put);
    } else {
      for (KeyToPath item : items) {
        files.put(item.getPath(), data.get(item.getKey()));
      }
    }
    for (var f : files.entrySet()) {
      if (f.getValue() == null) {
        throw new IllegalStateException("volume key " + f.getKey() + " does not exist (yet)");
      }
      Path file = dir.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      // Configuration is mapped onto the host like the command line; secrets are kept as they are.
      Files.writeString(
          file, mapContent ? map(f.getValue()) : f.getValue(), StandardCharsets.UTF_8);
    }
  }

  private Map<String, String> configMap(String name) {
    ConfigMap cm =
        client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (cm == null) {
      throw new IllegalStateException("ConfigMap " + name + " does not exist (yet)");
    }
    return cm.getData() == null ? Map.of() : cm.getData();
  }

  private Map<String, String> secret(String name) {
    Secret s = client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (s == null) {
      throw new IllegalStateException("Secret " + name + " does not exist (yet)");
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData()
          .forEach(
              (k, v) ->
                  out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    return out;
  }
}
