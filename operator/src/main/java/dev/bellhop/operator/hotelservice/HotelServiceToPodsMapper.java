package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A HotelService's pods: those in its namespace that carry every label of its selector, found
 * through the label index of the pod store ({@link SlimPodStore}). Given this mapper, JOSDK keeps
 * no primary-to-secondary index of its own, which it would build at start by mapping each pod to
 * its HotelServices (10,000 pods times every HotelService of their namespace).
 */
final class HotelServiceToPodsMapper implements PrimaryToSecondaryMapper<HotelService> {
  private final Function<String, List<Pod>> podsWithLabel;

  /**
   * @param podsWithLabel the pods under a {@link Labels#indexKey}
   */
  HotelServiceToPodsMapper(Function<String, List<Pod>> podsWithLabel) {
    this.podsWithLabel = podsWithLabel;
  }

  @Override
  public Set<ResourceID> toSecondaryResourceIDs(HotelService hs) {
    if (hs.getSpec() == null) {
      return Set.of();
    }
    var selector = Labels.effectiveSelector(hs);
    return podsWithLabel.apply(Labels.indexKey(hs.getMetadata().getNamespace(), selector)).stream()
        .filter(pod -> Labels.matches(selector, pod.getMetadata().getLabels()))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
