package dev.bellhop.localcluster;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.util.List;

/** What the local cluster's parts read off a pod. */
public final class Pods {
  private Pods() {}

  /** fabric8's rule (the Ready condition is True), under the name the local cluster reads. */
  public static boolean ready(Pod pod) {
    return Readiness.isPodReady(pod);
  }

  /** The controller owner reference, or null. */
  public static OwnerReference controller(Pod pod) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    return refs == null
        ? null
        : refs.stream()
            .filter(o -> Boolean.TRUE.equals(o.getController()))
            .findFirst()
            .orElse(null);
  }

  public static String name(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
