package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bellhop's CA and the certificates it issues, {@code <name>-tls} ({@link ClusterCertificates}),
 * when TLS is on and the user names no Secret. Rewritten only when a certificate is re-issued
 * (renewal, or settings that change its names); the new certificates reach the pods through a
 * rolling restart, as their fingerprint is part of the pod templates ({@link PodSecrets#tlsHash}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterSettings.LABEL_CLUSTER))
public class TlsSecretDependentResource extends OwnedDependentResource<Secret> {
  static final String NAME = "tls-secret";

  public TlsSecretDependentResource() {
    super(Secret.class);
  }

  @Override
  protected boolean wanted(ClusterSettings s) {
    return s.tlsGenerated();
  }

  /** Names the object (for conflicts); {@link #build(ClusterSettings, Context)} has the data. */
  @Override
  protected Secret build(ClusterSettings s) {
    return ConsulClusterResources.tlsSecret(s, Map.of());
  }

  @Override
  protected Secret build(ClusterSettings s, Context<ConsulCluster> context) {
    Secret current = PodSecrets.cached(context, s.tlsSecret());
    Map<String, String> data = new TreeMap<>();
    for (String key : ClusterCertificates.KEYS) {
      String value = ConsulClusterResources.secretValue(current, key);
      if (value != null) {
        data.put(key, value);
      }
    }
    return ConsulClusterResources.tlsSecret(s, ClusterCertificates.ensure(data, s, Instant.now()));
  }

  @Override
  protected ResourceID targetSecondaryResourceID(ConsulCluster cc, Context<ConsulCluster> context) {
    return new ResourceID(
        ClusterSettings.generatedTlsSecret(cc.getMetadata().getName()),
        cc.getMetadata().getNamespace());
  }

  @Override
  public Secret create(Secret desired, ConsulCluster cc, Context<ConsulCluster> context) {
    Secret created = super.create(desired, cc, context);
    new KubernetesEvents(context.getClient())
        .normal(
            cc,
            "CertificatesIssued",
            "Created Secret "
                + desired.getMetadata().getName()
                + " with a new CA and the servers' and agents' certificates");
    return created;
  }

  @Override
  public Secret update(
      Secret actual, Secret desired, ConsulCluster cc, Context<ConsulCluster> context) {
    Secret updated = super.update(actual, desired, cc, context);
    new KubernetesEvents(context.getClient())
        .normal(
            cc,
            "CertificatesRenewed",
            "Re-issued certificates in Secret "
                + desired.getMetadata().getName()
                + "; the servers and agents restart onto them");
    return updated;
  }
}
