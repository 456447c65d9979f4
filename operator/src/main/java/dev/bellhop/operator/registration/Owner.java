package dev.bellhop.operator.registration;

import java.util.Map;
import java.util.Objects;

/**
 * Who a registration belongs to: a HotelService, named by namespace and name. The engine keys
 * everything by it; Consul carries it in the instance meta ({@link InstanceMeta}).
 */
public record Owner(String namespace, String name) {
  public Owner {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** The owner an instance's meta names (empty parts when the meta lacks them). */
  public static Owner fromMeta(Map<String, String> meta) {
    return new Owner(
        meta.getOrDefault(InstanceMeta.NAMESPACE, ""),
        meta.getOrDefault(InstanceMeta.HOTELSERVICE, ""));
  }

  /** "namespace/name", for logs and messages. */
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
