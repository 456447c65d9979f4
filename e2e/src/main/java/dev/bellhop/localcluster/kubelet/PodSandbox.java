package dev.bellhop.localcluster.kubelet;

import dev.bellhop.localcluster.network.PodNetwork;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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
 * names onto local addresses ({@link PodNetwork#resolveNames}). The mapping applies to the
 * environment, the command line, probes and the files of mounted ConfigMaps.
 */
final class PodSandbox {
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)|\\$\\$");
  private static final Pattern OWN_ADDRESS = Pattern.compile("(?<![\\d.])(?:0\\.0\\.0\\.0|127\\.0\\.0\\.1)(?![\\d])");

  private final KubernetesClient client;
  private final PodNetwork network;
  private final Pod pod;
  private final String podIp;
  private final String hostIp;
  private final Path dir;
  /** Mount path to host directory, longest first (so /a/b wins over /a). */
  private final Map<String, Path> mounts = new LinkedHashMap<>();

  PodSandbox(KubernetesClient client, PodNetwork network, Pod pod, String podIp, String hostIp, Path podDir,
      Path claimsDir) {
    this.client = client;
    this.network = network;
    this.pod = pod;
    this.podIp = podIp;
    this.hostIp = hostIp;
    this.dir = podDir;
    Container c = pod.getSpec().getContainers().get(0);
    List<VolumeMount> list = new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
    list.sort(Comparator.comparing((VolumeMount m) -> m.getMountPath().length()).reversed());
    for (VolumeMount m : list) {
      mounts.put(m.getMountPath(), volumePath(m.getName(), claimsDir));
    }
  }

  Path dir() {
    return dir;
  }

  /** The container's environment, as the kubelet builds it, mapped onto this host. */
  Map<String, String> environment(Container c, String kubeconfig) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOSTNAME", pod.getMetadata().getName());
    // The pod's own network: every Bellhop process binds BIND_ADDR.
    env.put("BIND_ADDR", podIp);
    if (!Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
      env.put("KUBECONFIG", kubeconfig); // stands in for the mounted service account
    }
    for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
      Map<String, String> values = from.getConfigMapRef() != null
          ? configMap(from.getConfigMapRef().getName()) : secret(from.getSecretRef().getName());
      values.forEach((k, v) -> env.put((from.getPrefix() == null ? "" : from.getPrefix()) + k, map(v)));
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
        default -> throw new IllegalArgumentException("env " + e.getName() + ": fieldRef "
            + from.getFieldRef().getFieldPath() + " is not supported by the local cluster");
      };
    }
    if (from.getSecretKeyRef() != null) {
      return required(secret(from.getSecretKeyRef().getName()).get(from.getSecretKeyRef().getKey()),
          e, from.getSecretKeyRef().getOptional());
    }
    if (from.getConfigMapKeyRef() != null) {
      return required(configMap(from.getConfigMapKeyRef().getName()).get(from.getConfigMapKeyRef().getKey()),
          e, from.getConfigMapKeyRef().getOptional());
    }
    throw new IllegalArgumentException("env " + e.getName() + ": this valueFrom is not supported by the local cluster");
  }

  private static String required(String value, EnvVar e, Boolean optional) {
    if (value == null && !Boolean.TRUE.equals(optional)) {
      throw new IllegalStateException("env " + e.getName() + ": the referenced key does not exist (yet)");
    }
    return value == null ? "" : value;
  }

  /** $(VAR) references expanded from {@code env} as the kubelet does ({@code $$} is a literal $). */
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
    for (var m : mounts.entrySet()) {
      out = out.replaceAll("(?<![\\w.-])" + Pattern.quote(m.getKey()) + "(?=/|$|[^\\w.-])",
          Matcher.quoteReplacement(m.getValue().toString()));
    }
    return out;
  }

  // ------------------------------------------------------------------ volumes

  /** Where a volume lives on the host: a StatefulSet claim or a PVC outlives the pod, the rest is the pod's. */
  private Path volumePath(String name, Path claimsDir) {
    Volume v = volume(name);
    String ns = pod.getMetadata().getNamespace();
    if (v == null) {
      return claimsDir.resolve(ns + "." + name + "-" + pod.getMetadata().getName()); // a volumeClaimTemplate
    }
    if (v.getPersistentVolumeClaim() != null) {
      return claimsDir.resolve(ns + "." + v.getPersistentVolumeClaim().getClaimName());
    }
    return dir.resolve("volumes").resolve(name);
  }

  /** Makes the mounted volumes: directories, and the files of ConfigMaps and Secrets. */
  void prepare() {
    Container c = pod.getSpec().getContainers().get(0);
    try {
      Files.createDirectories(dir);
      for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
        Path path = Files.createDirectories(mounts.get(m.getMountPath()));
        Volume v = volume(m.getName());
        if (v == null || v.getPersistentVolumeClaim() != null || v.getEmptyDir() != null) {
          continue;
        }
        if (v.getConfigMap() != null) {
          write(path, configMap(v.getConfigMap().getName()), v.getConfigMap().getItems(), true);
        } else if (v.getSecret() != null) {
          write(path, secret(v.getSecret().getSecretName()), v.getSecret().getItems(), false);
        } else {
          throw new IllegalArgumentException("volume " + m.getName() + ": only configMap, secret, emptyDir and "
              + "persistent volume claims are supported by the local cluster");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Volume volume(String name) {
    return pod.getSpec().getVolumes() == null ? null : pod.getSpec().getVolumes().stream()
        .filter(x -> x.getName().equals(name)).findFirst().orElse(null);
  }

  private void write(Path dir, Map<String, String> data, List<KeyToPath> items, boolean mapContent) throws IOException {
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
      Files.writeString(file, mapContent ? map(f.getValue()) : f.getValue(), StandardCharsets.UTF_8);
    }
  }

  private Map<String, String> configMap(String name) {
    ConfigMap cm = client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
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
      s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    return out;
  }
}
