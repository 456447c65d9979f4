package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A pod event concerns every HotelService in its namespace whose selector matches its labels.
 * Candidates come from the selector index of the HotelService store ({@link LabelIndexedStore}), a
 * lookup per pod label: at start every pod of the cluster passes through here, and scanning every
 * HotelService of the namespace for each was most of the start-up CPU with 10,000 pods.
 */
final class PodToHotelServiceMapper implements SecondaryToPrimaryMapper<Pod> {
  private final Function<String, List<HotelService>> bySelectorLabel;

  /**
   * @param bySelectorLabel the HotelServices under a {@link Labels#indexKeys(HotelService)} key
   */
  PodToHotelServiceMapper(Function<String, List<HotelService>> bySelectorLabel) {
    this.bySelectorLabel = bySelectorLabel;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    Set<ResourceID> owners = new HashSet<>();
    for (String key : Labels.indexKeys(pod)) {
      for (HotelService hs : bySelectorLabel.apply(key)) {
        if (Labels.matches(Labels.effectiveSelector(hs), labels)) {
          owners.add(ResourceID.fromResource(hs));
        }
      }
    }
    return owners;
  }
}
