package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowBuilder;
import java.util.List;

/** A HotelService's workload, reconciled from {@link HotelServiceReconciler}. */
final class WorkloadWorkflow {
  private WorkloadWorkflow() {}

  /**
   * The Deployment and Service, standalone dependents: created and kept in step while the
   * HotelService names an image, deleted when it no longer does. Their informers see only objects
   * Bellhop labelled.
   */
  static Workflow<HotelService> create() {
    var deployment = new DeploymentDependentResource();
    var service = new ServiceDependentResource();
    for (KubernetesDependentResource<?, HotelService> dependent : List.of(deployment, service)) {
      configure(dependent);
    }
    return new WorkflowBuilder<HotelService>()
        .addDependentResourceAndConfigure(deployment)
        .withReconcilePrecondition(new ManagedWorkloadCondition())
        .addDependentResourceAndConfigure(service)
        .withReconcilePrecondition(new ManagedWorkloadCondition())
        .build();
  }

  private static <R extends HasMetadata> void configure(
      KubernetesDependentResource<R, HotelService> dependent) {
    dependent.configureWith(
        new KubernetesDependentResourceConfigBuilder<R>()
            .withKubernetesDependentInformerConfig(
                InformerConfiguration.builder(dependent.resourceType())
                    .withLabelSelector(Labels.MANAGED_BY_SELECTOR)
                    .build())
            .build());
  }
}
