package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.Set;

/**
 * An object a ConsulCluster owns and Bellhop creates. Secondaries map to their ConsulCluster by
 * owner reference, so an object of the same name that the cluster does not own is never adopted or
 * overwritten: creating it fails with 409 and {@link Conflicts} reports a {@code Conflict} naming
 * it ({@link #describe}). {@link OwnedDependentResource} adds updates; the generated gossip key
 * ({@link GossipSecretDependentResource}) is only ever created.
 */
abstract class CreatedDependentResource<R extends HasMetadata>
    extends KubernetesDependentResource<R, ConsulCluster>
    implements Creator<R, ConsulCluster>, SecondaryToPrimaryMapper<R> {
  private static final SecondaryToPrimaryMapper<HasMetadata> OWNER =
      Mappers.fromOwnerReferences(ConsulCluster.class, false);

  CreatedDependentResource(Class<R> type) {
    super(type);
  }

  /**
   * Whether these settings want the object; when not, this dependent does nothing. Not a reconcile
   * precondition: the servers depend on the gossip and TLS Secrets' dependents, and run with gossip
   * or TLS off too.
   */
  protected boolean wanted(ClusterSettings s) {
    return true;
  }

  @Override
  public ReconcileResult<R> reconcile(ConsulCluster cc, Context<ConsulCluster> context) {
    if (!wanted(ClusterSettings.of(cc))) {
      return ReconcileResult.noOperation(null);
    }
    return super.reconcile(cc, context);
  }

  /** Owned: deleted with its cluster by the API server's garbage collector. */
  @Override
  protected boolean addOwnerReference() {
    return true;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(R resource) {
    return OWNER.toPrimaryResourceIDs(resource);
  }

  /** "Kind name" of this dependent's object for a ConsulCluster, for condition messages. */
  abstract String describe(ConsulCluster cc);
}
