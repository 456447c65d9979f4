package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The generated gossip key {@code <name>-gossip}: created once (32 random bytes) and never updated
 * (a Creator, not an Updater: Consul keeps the key in its keyring, rotating it is the user's act).
 * Does nothing when gossip is off or the user names a Secret, which is only read ({@link
 * PodSecrets}). Its ready condition, {@link PodSecretsReady}, holds the workloads back until every
 * Secret they need is in place.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class GossipSecretDependentResource extends CreatedDependentResource<Secret> {
  static final String NAME = "gossip-secret";

  public GossipSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected boolean wanted(ClusterSettings s) {
    return s.gossipGenerated();
  }

  @Override
  protected Secret desired(ConsulCluster cc, Context<ConsulCluster> context) {
    return ConsulClusterResources.gossipSecret(
        ClusterSettings.of(cc), ConsulClusterResources.newGossipKey());
  }

  @Override
  protected ResourceID targetSecondaryResourceID(ConsulCluster cc, Context<ConsulCluster> context) {
    return new ResourceID(ClusterSettings.of(cc).gossipSecret(), cc.getMetadata().getNamespace());
  }

  @Override
  public Secret create(Secret desired, ConsulCluster cc, Context<ConsulCluster> context) {
    Secret created = super.create(desired, cc, context);
    new KubernetesEvents(context.getClient())
        .normal(
            cc,
            "GossipKeyCreated",
            "Created Secret " + desired.getMetadata().getName() + " with a new gossip key");
    return created;
  }

  @Override
  String describe(ConsulCluster cc) {
    return "Secret " + ClusterSettings.of(cc).gossipSecret();
  }
}
