package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/**
 * Labels Bellhop puts on what it creates for a HotelService. Public for the chart's tests: its
 * NetworkPolicy selects the hotel pods by these ({@link #of}).
 */
public final class Labels {
  static final String HOTEL_SERVICE = "bellhop.dev/hotelservice";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANAGED_BY_SELECTOR = MANAGED_BY + "=bellhop";

  private Labels() {}

  /** Selects the pods of the managed Deployment. */
  static Map<String, String> podSelector(HotelService hs) {
    return Map.of(HOTEL_SERVICE, hs.getMetadata().getName());
  }

  /** The metadata of an object made for {@code hs}: its name, namespace and {@link #all} labels. */
  static ObjectMeta meta(HotelService hs) {
    return new ObjectMetaBuilder()
        .withName(hs.getMetadata().getName())
        .withNamespace(hs.getMetadata().getNamespace())
        .withLabels(all(hs))
        .build();
  }

  static Map<String, String> all(HotelService hs) {
    return of(hs.getMetadata().getName());
  }

  /** The labels of what Bellhop makes for HotelService {@code name}, its pods included. */
  public static Map<String, String> of(String name) {
    return Map.of(HOTEL_SERVICE, name, "app.kubernetes.io/name", name, MANAGED_BY, "bellhop");
  }

  /**
   * The pods a HotelService registers: {@code spec.selector}, else the managed Deployment's pods.
   */
  static Map<String, String> effectiveSelector(HotelService hs) {
    Map<String, String> selector = hs.getSpec().getSelector();
    return selector == null || selector.isEmpty() ? podSelector(hs) : selector;
  }

  /** The index keys of a pod: one per (namespace, label). */
  static List<String> indexKeys(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null) {
      return List.of();
    }
    String ns = pod.getMetadata().getNamespace();
    return labels.entrySet().stream().map(e -> indexKey(ns, e.getKey(), e.getValue())).toList();
  }

  /** A pod this HotelService selects carries the label under this key (none without a spec). */
  static List<String> indexKeys(HotelService hs) {
    return hs.getSpec() == null
        ? List.of()
        : List.of(indexKey(hs.getMetadata().getNamespace(), effectiveSelector(hs)));
  }

  /**
   * The index key of one of the selector's labels (any one narrows enough; matches() checks the
   * rest).
   */
  static String indexKey(String namespace, Map<String, String> selector) {
    var first = new java.util.TreeMap<>(selector).firstEntry();
    return indexKey(namespace, first.getKey(), first.getValue());
  }

  private static String indexKey(String namespace, String label, String value) {
    return namespace + "/" + label + "=" + value;
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
