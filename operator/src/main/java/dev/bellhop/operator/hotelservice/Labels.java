package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import java.util.Map;

/** Labels Bellhop puts on what it creates for a HotelService. */
final class Labels {
  static final String HOTEL_SERVICE = "bellhop.dev/hotelservice";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANAGED_BY_SELECTOR = MANAGED_BY + "=bellhop";

  private Labels() {}

  /** Selects the pods of the managed Deployment. */
  static Map<String, String> podSelector(HotelService hs) {
    return Map.of(HOTEL_SERVICE, hs.getMetadata().getName());
  }

  static Map<String, String> all(HotelService hs) {
    return Map.of(
        HOTEL_SERVICE, hs.getMetadata().getName(),
        "app.kubernetes.io/name", hs.getMetadata().getName(),
        MANAGED_BY, "bellhop");
  }

  /** The pods a HotelService registers: {@code spec.selector}, else the managed Deployment's pods. */
  static Map<String, String> effectiveSelector(HotelService hs) {
    Map<String, String> selector = hs.getSpec().getSelector();
    return selector == null || selector.isEmpty() ? podSelector(hs) : selector;
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    if (labels == null || selector.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
