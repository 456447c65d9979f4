package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Name clashes: a dependent whose object exists but is not owned by the ConsulCluster (so not in
 * its cache) fails to create it with 409. That is reported as {@code Ready=False, Conflict} naming
 * the object, never adopted or overwritten. Any other failure is thrown, for the retry and the
 * {@code ReconcileFailed} condition.
 */
final class Conflicts {
  private Conflicts() {}

  /** A sentence naming the clashing objects, or null when there is none. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static String describe(
      ConsulCluster cc, Context<ConsulCluster> context, WorkflowReconcileResult result) {
    List<String> clashes = new ArrayList<>();
    boolean otherErrors = false;
    for (Map.Entry<DependentResource, Exception> e : result.getErroredDependents().entrySet()) {
      DependentResource dependent = e.getKey();
      if (alreadyExists(e.getValue()) && dependent.getSecondaryResource(cc, context).isEmpty()) {
        clashes.add(
            ((CreatedDependentResource<?>) dependent).describe(cc)
                + " already exists and is not owned by ConsulCluster "
                + cc.getMetadata().getName());
      } else {
        otherErrors = true;
      }
    }
    if (otherErrors && clashes.isEmpty()) {
      result.throwAggregateExceptionIfErrorsPresent();
    }
    return clashes.isEmpty()
        ? null
        : String.join("; ", clashes) + " (Bellhop does not adopt objects: delete or rename it)";
  }

  private static boolean alreadyExists(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 409) {
        return true;
      }
    }
    return false;
  }
}
