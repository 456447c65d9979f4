package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A pod event concerns every HotelService in its namespace whose selector matches its labels. */
final class PodToHotelServiceMapper implements SecondaryToPrimaryMapper<Pod> {
  private final Function<String, Stream<HotelService>> hotelServicesIn;

  /** @param hotelServicesIn the HotelServices of a namespace (the controller's cache) */
  PodToHotelServiceMapper(Function<String, Stream<HotelService>> hotelServicesIn) {
    this.hotelServicesIn = hotelServicesIn;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Pod pod) {
    return hotelServicesIn.apply(pod.getMetadata().getNamespace())
        .filter(hs -> hs.getSpec() != null && Labels.matches(Labels.effectiveSelector(hs), pod.getMetadata().getLabels()))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
