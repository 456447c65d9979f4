package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Bellhop runs the workload only when the HotelService names an image; otherwise its objects go.
 */
public class ManagedWorkloadCondition implements Condition<HasMetadata, HotelService> {
  @Override
  public boolean isMet(
      DependentResource<HasMetadata, HotelService> dependent,
      HotelService hs,
      Context<HotelService> context) {
    return hs.getSpec().managed();
  }
}
