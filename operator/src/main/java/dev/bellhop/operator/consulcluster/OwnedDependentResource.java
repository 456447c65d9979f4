package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import java.util.HashMap;
import java.util.Map;

/**
 * One object a ConsulCluster owns ({@link CreatedDependentResource}), built by {@link
 * ConsulClusterResources} and kept to the spec. It carries a hash of its desired state in an
 * annotation and is rewritten only when that hash changes, so defaults an API server adds never
 * cause a write loop and hand edits stay until the spec changes.
 *
 * <p>Owned but not a {@code GarbageCollected} (that is, a Deleter): the API server's garbage
 * collector deletes these with their ConsulCluster, and the operator's role needs no delete on
 * them. The two that a spec switch removes (UI Service, agents' DaemonSet) add {@code
 * GarbageCollected}.
 */
abstract class OwnedDependentResource<R extends HasMetadata> extends CreatedDependentResource<R>
    implements Updater<R, ConsulCluster> {
  static final String SPEC_HASH = "bellhop.dev/spec-hash";

  OwnedDependentResource(Class<R> type) {
    super(type);
  }

  /** The object for these settings, without ownership and hash (added here). */
  protected abstract R build(ClusterSettings s);

  /** The object for this reconcile; by default {@link #build(ClusterSettings)}. */
  protected R build(ClusterSettings s, Context<ConsulCluster> context) {
    return build(s);
  }

  @Override
  protected R desired(ConsulCluster cc, Context<ConsulCluster> context) {
    R desired = build(ClusterSettings.of(cc), context);
    String hash = ConsulClusterResources.hashOf(desired);
    Map<String, String> annotations = new HashMap<>();
    if (desired.getMetadata().getAnnotations() != null) {
      annotations.putAll(desired.getMetadata().getAnnotations());
    }
    annotations.put(SPEC_HASH, hash);
    desired.getMetadata().setAnnotations(annotations);
    return desired;
  }

  @Override
  public Result<R> match(R actual, R desired, ConsulCluster cc, Context<ConsulCluster> context) {
    var annotations = actual.getMetadata().getAnnotations();
    boolean same =
        annotations != null
            && desired
                .getMetadata()
                .getAnnotations()
                .get(SPEC_HASH)
                .equals(annotations.get(SPEC_HASH));
    return Result.computed(same, desired);
  }

  @Override
  public R update(R actual, R desired, ConsulCluster cc, Context<ConsulCluster> context) {
    keepAllocated(actual, desired);
    return super.update(actual, desired, cc, context);
  }

  /**
   * Copies what the API server allocated or keeps immutable from {@code actual} into {@code
   * desired}.
   */
  protected void keepAllocated(R actual, R desired) {}

  @Override
  String describe(ConsulCluster cc) {
    return resourceType().getSimpleName()
        + " "
        + build(ClusterSettings.of(cc)).getMetadata().getName();
  }
}
