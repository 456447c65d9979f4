package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The gossip key as a Consul configuration file, {@code <name>-gossip-config}, which the server and
 * agent pods mount and load with {@code -config-file}: on a command line ({@code -encrypt=<key>})
 * the key showed in {@code ps} to every process on every node (issue #16). Made from whichever
 * Secret holds the key (the generated one or the user's), so the user's Secret keeps its plain
 * format; rewritten when that key changes (Consul keeps the key it started with in its keyring, so
 * a new key takes effect only through {@code consul keyring}, as before).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class GossipConfigDependentResource extends OwnedDependentResource<Secret> {
  static final String NAME = "gossip-config";

  public GossipConfigDependentResource() {
    super(Secret.class);
  }

  @Override
  protected boolean wanted(ClusterSettings s) {
    return s.gossip();
  }

  /**
   * Without the key: names the object (for conflicts); {@link #build(ClusterSettings, Context)} has
   * it.
   */
  @Override
  protected Secret build(ClusterSettings s) {
    return ConsulClusterResources.gossipConfigSecret(s, "");
  }

  /** Runs after the gossip Secret's dependent, whose ready condition checked the key. */
  @Override
  protected Secret build(ClusterSettings s, Context<ConsulCluster> context) {
    String key = PodSecrets.gossipKey(s, context);
    if (key == null) {
      throw new IllegalStateException("gossip Secret " + s.gossipSecret() + " has no valid key");
    }
    return ConsulClusterResources.gossipConfigSecret(s, key);
  }

  @Override
  protected ResourceID targetSecondaryResourceID(ConsulCluster cc, Context<ConsulCluster> context) {
    return new ResourceID(
        ClusterSettings.of(cc).gossipConfigSecret(), cc.getMetadata().getNamespace());
  }
}
