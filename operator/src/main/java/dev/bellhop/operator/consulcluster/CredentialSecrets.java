package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import java.util.Set;

/**
 * The Secrets holding a ConsulCluster's credentials (its tokens, gossip key and TLS key), for the
 * parts of the operator that must keep them from workloads: a HotelService may not hand one to its
 * pods (issue #16: its {@code secretKeyRef} would otherwise read the management token).
 */
public final class CredentialSecrets {
  private CredentialSecrets() {}

  public static Set<String> of(ConsulCluster cluster) {
    return ClusterSettings.of(cluster).credentialSecrets();
  }
}
