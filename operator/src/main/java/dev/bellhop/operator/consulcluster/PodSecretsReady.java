package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** Pods would not start without their Secrets: the server and agent workloads wait for them. */
public class PodSecretsReady implements Condition<Secret, ConsulCluster> {
  @Override
  public boolean isMet(
      DependentResource<Secret, ConsulCluster> dependent,
      ConsulCluster cc,
      Context<ConsulCluster> context) {
    return PodSecrets.check(cc, context).complete();
  }
}
