package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Set;
import java.util.stream.Collectors;

/** A pod event concerns every HotelService in its namespace whose selector matches its labels. */
final class PodToHotelServiceMapper implements SecondaryToPrimaryMapper<Pod> {
  private final IndexedResourceCache<HotelService> hotelServices;

  PodToHotelServiceMapper(IndexedResourceCache<HotelService> hotelServices) {
    this.hotelServices = hotelServices;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    return hotelServices.list(namespace)
        .filter(hs -> hs.getSpec() != null && Labels.matches(Labels.effectiveSelector(hs), pod.getMetadata().getLabels()))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
