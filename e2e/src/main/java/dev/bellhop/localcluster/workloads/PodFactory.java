package dev.bellhop.localcluster.workloads;

import dev.bellhop.localcluster.Nodes;
import dev.bellhop.localcluster.Pods;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pods as the workload controllers make them: from the template, owned, scheduled onto a node. */
final class PodFactory {
  static final String TEMPLATE_HASH = "pod-template-hash";
  static final String REVISION_HASH = "controller-revision-hash";
  static final String JOB_UID = "batch.kubernetes.io/controller-uid";
  private static final String SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<String> nodes;
  private final String finalizer;

  PodFactory(List<String> nodes, String finalizer) {
    this.nodes = nodes;
    this.finalizer = finalizer;
  }

  Pod forDeployment(Deployment d, String hash, List<Pod> all) {
    String name = d.getMetadata().getName() + "-" + hash + "-" + suffix();
    return build(
        d,
        d.getSpec().getTemplate(),
        name,
        TEMPLATE_HASH,
        hash,
        schedule(d, d.getSpec().getTemplate(), all));
  }

  Pod forStatefulSet(StatefulSet set, int ordinal, String hash, List<Pod> all) {
    String name = set.getMetadata().getName() + "-" + ordinal;
    Pod pod =
        build(
            set,
            set.getSpec().getTemplate(),
            name,
            REVISION_HASH,
            set.getMetadata().getName() + "-" + hash,
            schedule(set, set.getSpec().getTemplate(), all));
    pod.getMetadata().getLabels().put("statefulset.kubernetes.io/pod-name", name);
    pod.getSpec().setHostname(name);
    pod.getSpec().setSubdomain(set.getSpec().getServiceName());
    return pod;
  }

  Pod forDaemonSet(DaemonSet ds, String node, String hash) {
    return build(
        ds,
        ds.getSpec().getTemplate(),
        ds.getMetadata().getName() + "-" + suffix(),
        REVISION_HASH,
        hash,
        node);
  }

  /** A Job's pod, labelled as the Job controller labels it (kubectl logs job/NAME finds it so). */
  Pod forJob(Job job, List<Pod> all) {
    Pod pod =
        build(
            job,
            job.getSpec().getTemplate(),
            job.getMetadata().getName() + "-" + suffix(),
            JOB_UID,
            job.getMetadata().getUid(),
            schedule(job, job.getSpec().getTemplate(), all));
    pod.getMetadata().getLabels().put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    return pod;
  }

  private Pod build(
      HasMetadata owner,
      PodTemplateSpec template,
      String name,
      String hashLabel,
      String hash,
      String node) {
    var meta = template.getMetadata();
    Map<String, String> labels =
        new LinkedHashMap<>(meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels());
    labels.put(hashLabel, hash);
    labels.put(Nodes.SIMULATED, "true");
    PodSpec spec = Serialization.clone(template.getSpec());
    spec.setNodeName(node);
    OwnerReference ref =
        new OwnerReferenceBuilder()
            .withApiVersion(owner.getApiVersion())
            .withKind(owner.getKind())
            .withName(owner.getMetadata().getName())
            .withUid(owner.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build();
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(meta == null ? null : meta.getAnnotations())
        .withOwnerReferences(ref)
        .withFinalizers(finalizer)
        .endMetadata()
        .withSpec(spec)
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
  }

  /**
   * The node with the fewest pods of this workload, then the fewest pods, skipping nodes that a
   * required pod anti-affinity on the hostname rules out; null (Pending) when none is left.
   */
  private String schedule(HasMetadata owner, PodTemplateSpec template, List<Pod> all) {
    Map<String, Integer> mine = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    for (Pod p : all) {
      String node = p.getSpec().getNodeName();
      if (node == null || p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      total.merge(node, 1, Integer::sum);
      OwnerReference o = Pods.controller(p);
      if (o != null && o.getUid().equals(owner.getMetadata().getUid())) {
        mine.merge(node, 1, Integer::sum);
      }
    }
    return nodes.stream()
        .filter(n -> !excluded(n, template, all))
        .min(
            Comparator.comparing((String n) -> mine.getOrDefault(n, 0))
                .thenComparing(n -> total.getOrDefault(n, 0)))
        .orElse(null);
  }

  private static boolean excluded(String node, PodTemplateSpec template, List<Pod> all) {
    var affinity = template.getSpec().getAffinity();
    if (affinity == null
        || affinity.getPodAntiAffinity() == null
        || affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
            == null) {
      return false;
    }
    for (PodAffinityTerm term :
        affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()) {
      if (!"kubernetes.io/hostname".equals(term.getTopologyKey())) {
        continue;
      }
      for (Pod p : all) {
        if (node.equals(p.getSpec().getNodeName())
            && p.getMetadata().getDeletionTimestamp() == null
            && selects(term.getLabelSelector(), p.getMetadata().getLabels())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null || labels == null || selector.getMatchLabels() == null) {
      return false; // matchExpressions are not used by anything the local cluster runs
    }
    return selector.getMatchLabels().entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  static String templateHash(PodTemplateSpec template) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The template hash a pod was made from (a StatefulSet's without its set-name prefix). */
  static String hashOf(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String h = labels.get(TEMPLATE_HASH);
    if (h != null) {
      return h;
    }
    h = labels.getOrDefault(REVISION_HASH, "");
    OwnerReference o = Pods.controller(pod);
    return o != null && "StatefulSet".equals(o.getKind()) && h.startsWith(o.getName() + "-")
        ? h.substring(o.getName().length() + 1)
        : h;
  }

  static int ordinal(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String suffix() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      s.append(SUFFIX_CHARS.charAt(RANDOM.nextInt(SUFFIX_CHARS.length())));
    }
    return s.toString();
  }
}
