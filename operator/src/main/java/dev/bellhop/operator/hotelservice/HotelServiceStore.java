package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The HotelService informer's cache, with the selector-label index pod events are mapped through. */
final class HotelServiceStore implements ItemStore<HotelService> {
  private final Map<String, HotelService> items = new ConcurrentHashMap<>();
  private final LabelIndex bySelectorLabel = new LabelIndex();

  /** The HotelServices under a {@link Labels#indexKeys(HotelService)} key. */
  List<HotelService> withSelectorLabel(String key) {
    return bySelectorLabel.get(key).stream().map(items::get).filter(Objects::nonNull).toList();
  }

  @Override
  public String getKey(HotelService hs) {
    return Cache.metaNamespaceKeyFunc(hs);
  }

  @Override
  public HotelService put(String key, HotelService hs) {
    HotelService old = items.put(key, hs);
    bySelectorLabel.update(key, old == null ? List.of() : Labels.indexKeys(old), Labels.indexKeys(hs));
    return old;
  }

  @Override
  public HotelService remove(String key) {
    HotelService old = items.get(key);
    if (old != null) {
      bySelectorLabel.update(key, Labels.indexKeys(old), List.of());
    }
    return items.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<HotelService> values() {
    return items.values().stream();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public HotelService get(String key) {
    return items.get(key);
  }
}
