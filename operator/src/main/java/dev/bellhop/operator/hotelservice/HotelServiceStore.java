package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import java.util.List;

/** The HotelService informer's cache, with the selector-label index pod events are mapped through. */
final class HotelServiceStore extends LabelIndexedStore<HotelService> {
  HotelServiceStore() {
    super(Labels::indexKeys);
  }

  /** The HotelServices under a {@link Labels#indexKeys(HotelService)} key. */
  List<HotelService> withSelectorLabel(String key) {
    return withIndexKey(key);
  }
}
