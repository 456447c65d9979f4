package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.podsecurity.Hardening;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Jobs that save and restore snapshots: the operator's own image running {@code snapshot
 * save|restore} ({@code snapshot.SnapshotCommand}) with the backup claim, the management token and
 * the CA mounted, and nothing else: no ServiceAccount token, no other Secret. A Job, not the
 * operator, because only a pod can mount the claim; its outcome comes back in the pod's termination
 * message.
 */
final class SnapshotJobs {
  static final String SNAPSHOT = "snapshot";
  static final String RESTORE = "restore";
  static final String LABEL_RESTORE = "bellhop.dev/consulrestore";
  static final String JOB_NAME = "batch.kubernetes.io/job-name";
  static final String BACKUP_DIR = "/backup";
  static final String REPORT = "/dev/termination-log";
  private static final String TOKEN_DIR = "/consul/acl";

  private SnapshotJobs() {}

  static Job save(
      HasMetadata cc,
      ClusterSettings s,
      BackupSettings b,
      String image,
      String consulUrl,
      String name) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "snapshot",
                "save",
                "--consul=" + consulUrl,
                "--dir=" + BACKUP_DIR,
                "--cluster=" + s.name(),
                "--retain=" + b.retain()));
    return job(cc, s, image, name, b.claim(), SNAPSHOT, Map.of(), args);
  }

  static Job restore(
      HasMetadata restore,
      ClusterSettings s,
      String image,
      String consulUrl,
      String claim,
      String file) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "snapshot",
                "restore",
                "--consul=" + consulUrl,
                "--file=" + BACKUP_DIR + "/" + file));
    return job(
        restore,
        s,
        image,
        restore.getMetadata().getName() + "-restore",
        claim,
        RESTORE,
        Map.of(LABEL_RESTORE, restore.getMetadata().getName()),
        args);
  }

  /** A finished Job pod's report: its termination message, or null while it runs. */
  static Optional<String> report(Pod pod) {
    var statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses == null || statuses.isEmpty() || statuses.get(0).getState() == null) {
      return Optional.empty();
    }
    var terminated = statuses.get(0).getState().getTerminated();
    return terminated == null
        ? Optional.empty()
        : Optional.of(terminated.getMessage() == null ? "" : terminated.getMessage());
  }

  /**
   * Whether the claim a Job would mount exists: without it the Job's pod would wait unscheduled,
   * and the snapshot or restore would look as if it were running.
   */
  static boolean claimExists(KubernetesClient client, String namespace, String claim) {
    return client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() != null;
  }

  static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static Job job(
      HasMetadata owner,
      ClusterSettings s,
      String image,
      String name,
      String claim,
      String component,
      Map<String, String> extraLabels,
      List<String> args) {
    Map<String, String> labels = new HashMap<>(s.labels(component));
    labels.putAll(extraLabels);
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("backup", BACKUP_DIR, component.equals(RESTORE))); // a restore only reads
    mounts.add(mount(Hardening.TMP_VOLUME, "/tmp", false));
    var volumes = new ArrayList<io.fabric8.kubernetes.api.model.Volume>();
    volumes.add(
        new VolumeBuilder()
            .withName("backup")
            .withNewPersistentVolumeClaim()
            .withClaimName(claim)
            .endPersistentVolumeClaim()
            .build());
    volumes.add(
        new VolumeBuilder()
            .withName(Hardening.TMP_VOLUME)
            .withEmptyDir(Hardening.tmpDir())
            .build());
    if (s.acl()) {
      // A snapshot needs the management token (Consul: acl = "write").
      volumes.add(secretVolume("acl", s.aclBootstrapSecret(), ConsulAcls.TOKEN));
      mounts.add(mount("acl", TOKEN_DIR, true));
      args.add("--token-file=" + TOKEN_DIR + "/" + ConsulAcls.TOKEN);
    }
    if (s.tls()) {
      volumes.add(secretVolume("tls", s.tlsSecret(), "ca.crt")); // the CA only, never a key
      mounts.add(mount("tls", ConsulClusterResources.TLS_DIR, true));
      args.add("--ca-file=" + ConsulClusterResources.TLS_DIR + "/ca.crt");
    }
    args.add("--report=" + REPORT);
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(s.namespace())
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(0) // a failure is reported and retried at the next slot, not hidden
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withSecurityContext(Hardening.podSecurityContext())
            .withVolumes(volumes)
            .withContainers(
                new ContainerBuilder()
                    .withName(component)
                    .withImage(image)
                    .withArgs(args)
                    .withTerminationMessagePath(REPORT)
                    .withTerminationMessagePolicy("FallbackToLogsOnError")
                    .withVolumeMounts(mounts)
                    .withSecurityContext(Hardening.containerSecurityContext())
                    .withResources(
                        new ResourceRequirementsBuilder()
                            .addToRequests("cpu", new Quantity("50m"))
                            .addToRequests("memory", new Quantity("128Mi"))
                            .addToLimits("cpu", new Quantity("500m"))
                            .addToLimits("memory", new Quantity("256Mi"))
                            .build())
                    .build())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    // Its controller (no blockOwnerDeletion: that would need the owner's finalizers rights).
    job.addOwnerReference(owner).setController(true);
    return job;
  }

  private static io.fabric8.kubernetes.api.model.Volume secretVolume(
      String name, String secret, String key) {
    return new VolumeBuilder()
        .withName(name)
        .withNewSecret()
        .withSecretName(secret)
        .addNewItem()
        .withKey(key)
        .withPath(key)
        .endItem()
        .endSecret()
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }
}
