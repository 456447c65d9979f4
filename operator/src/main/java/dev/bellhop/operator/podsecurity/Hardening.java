package dev.bellhop.operator.podsecurity;

import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * The defaults that let a pod of Bellhop's images (a managed hotel service, a snapshot Job) run in
 * a namespace at Pod Security {@code restricted} (each replaceable per HotelService: {@code
 * spec.podSecurityContext}, {@code spec.securityContext}, {@code spec.resources}). The user is the
 * image's own (ours run as 10001): {@code runAsNonRoot} makes the kubelet refuse a root image
 * rather than Bellhop pick a uid an image may not expect.
 */
public final class Hardening {
  public static final String TMP_VOLUME = "tmp";

  private Hardening() {}

  public static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  public static SecurityContext containerSecurityContext() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  /**
   * Requests for scheduling, limits so one service cannot starve a node. A JVM sizes itself from
   * them: 25% of the memory limit as heap (128 MiB), and as many processors as the CPU limit. At 1
   * it runs single-processor (serial GC, one JIT thread); with that, the first end-to-end run (load
   * average 35 on 2 cores) saw the hotel's calls to auth overrun their 1 s budget, so 2.
   */
  public static ResourceRequirements resources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("cpu", new Quantity("2"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build();
  }

  /** The only writable path (JVM temp files), bounded so a runaway writer cannot fill the node. */
  public static EmptyDirVolumeSource tmpDir() {
    EmptyDirVolumeSource dir = new EmptyDirVolumeSource();
    dir.setSizeLimit(new Quantity("64Mi"));
    return dir;
  }
}
