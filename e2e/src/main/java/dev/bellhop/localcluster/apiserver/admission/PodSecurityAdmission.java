package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import dev.bellhop.localcluster.apiserver.admission.PodSecurityChecks.Level;
import dev.bellhop.localcluster.apiserver.admission.PodSecurityChecks.Violation;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * kube's PodSecurity admission in enforce mode: a pod created (or updated in a way kube calls
 * significant: a container added or its image changed) in a namespace labelled {@code
 * pod-security.kubernetes.io/enforce: baseline|restricted} must meet that level of the Pod Security
 * Standards at their latest version, or it is refused with kube's 403. An unknown level is enforced
 * as {@code restricted}, as kube fails closed. Workload templates are not checked (kube only warns
 * on them); {@code warn} and {@code audit} labels are not acted on.
 */
public final class PodSecurityAdmission implements AdmissionPlugin {
  public static final String ENFORCE = "pod-security.kubernetes.io/enforce";

  private final NamespaceLabels namespaces;

  public PodSecurityAdmission(NamespaceLabels namespaces) {
    this.namespaces = namespaces;
  }

  @Override
  public void admit(AdmissionRequest request) {
    if (!"Pod".equals(request.kind())
        || request.operation() == Operation.DELETE
        || (request.info().subresource() != null
            && !"ephemeralcontainers".equals(request.info().subresource()))) {
      return;
    }
    String namespace =
        request.info().namespace() != null
            ? request.info().namespace()
            : request.object().path("metadata").path("namespace").asText(null);
    if (namespace == null) {
      return;
    }
    String label = namespaces.of(namespace).get(ENFORCE);
    Level level = level(label);
    if (level == Level.PRIVILEGED) {
      return;
    }
    if (request.operation() == Operation.UPDATE
        && request.oldObject() != null
        && !"ephemeralcontainers".equals(request.info().subresource())
        && !significantUpdate(request.object(), request.oldObject())) {
      return;
    }
    PodSpecs.Found pod = PodSpecs.of("Pod", request.object()).orElse(null);
    if (pod == null) {
      return;
    }
    List<Violation> violations =
        PodSecurityChecks.evaluate(level, request.object().path("metadata"), pod);
    if (violations.isEmpty()) {
      return;
    }
    String name = request.object().path("metadata").path("name").asText("");
    String message =
        "pods "
            + FieldErrors.render(name)
            + " is forbidden: violates PodSecurity \""
            + level.name().toLowerCase(Locale.ROOT)
            + ":latest\": "
            + violations.stream()
                .map(v -> v.detail().isEmpty() ? v.reason() : v.reason() + " (" + v.detail() + ")")
                .collect(Collectors.joining(", "));
    throw new ApiError(403, "Forbidden", message, "", "pods", name, List.of());
  }

  static Level level(String label) {
    if (label == null || label.equals("privileged")) {
      return Level.PRIVILEGED;
    }
    return label.equals("baseline") ? Level.BASELINE : Level.RESTRICTED;
  }

  /** kube's isSignificantPodUpdate: only a changed container list or image is evaluated again. */
  private static boolean significantUpdate(JsonNode pod, JsonNode old) {
    if (!pod.path("metadata")
        .path("annotations")
        .path("seccomp.security.alpha.kubernetes.io/pod")
        .equals(
            old.path("metadata")
                .path("annotations")
                .path("seccomp.security.alpha.kubernetes.io/pod"))) {
      return true;
    }
    for (String list : List.of("containers", "initContainers")) {
      JsonNode now = pod.path("spec").path(list);
      JsonNode before = old.path("spec").path(list);
      if (now.size() != before.size()) {
        return true;
      }
      for (int i = 0; i < now.size(); i++) {
        if (!now.get(i).path("image").equals(before.get(i).path("image"))) {
          return true;
        }
      }
    }
    return false;
  }
}
