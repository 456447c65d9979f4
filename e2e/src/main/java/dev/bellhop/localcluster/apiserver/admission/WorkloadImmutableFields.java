package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import java.util.List;
import java.util.Set;

/**
 * The workload fields kube-apiserver keeps immutable (apps/v1): a Deployment's, DaemonSet's or
 * ReplicaSet's {@code spec.selector}, and every StatefulSet spec field but the few its update may
 * touch (so its {@code selector}, {@code volumeClaimTemplates}, {@code serviceName}, {@code
 * podManagementPolicy}).
 */
public final class WorkloadImmutableFields implements AdmissionPlugin {
  /** apps/validation ValidateStatefulSetUpdate's list, in its message's order. */
  private static final List<String> STATEFULSET_MUTABLE =
      List.of(
          "replicas",
          "ordinals",
          "template",
          "updateStrategy",
          "revisionHistoryLimit",
          "persistentVolumeClaimRetentionPolicy",
          "minReadySeconds");

  private static final Set<String> SELECTOR_IMMUTABLE =
      Set.of("Deployment", "DaemonSet", "ReplicaSet");

  @Override
  public void admit(AdmissionRequest request) {
    if (request.operation() != Operation.UPDATE
        || request.oldObject() == null
        || !"apps".equals(request.info().apiGroup())
        || request.info().subresource() != null) {
      return;
    }
    JsonNode spec = request.object().path("spec");
    JsonNode old = request.oldObject().path("spec");
    if ("StatefulSet".equals(request.kind())) {
      ObjectNode fixed =
          spec.isObject() ? ((ObjectNode) spec).deepCopy() : request.object().objectNode();
      ObjectNode oldFixed =
          old.isObject() ? ((ObjectNode) old).deepCopy() : request.object().objectNode();
      STATEFULSET_MUTABLE.forEach(
          field -> {
            fixed.remove(field);
            oldFixed.remove(field);
          });
      if (!JsonCompare.semanticallyEqual(fixed, oldFixed)) {
        throw FieldErrors.invalid(
            request,
            List.of(
                FieldErrors.forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                        + "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")));
      }
    } else if (SELECTOR_IMMUTABLE.contains(request.kind())
        && !JsonCompare.semanticallyEqual(spec.path("selector"), old.path("selector"))) {
      Cause cause =
          FieldErrors.invalid(
              "spec.selector", JsonCompare.normalized(spec.path("selector")), "field is immutable");
      throw FieldErrors.invalid(request, List.of(cause));
    }
  }
}
