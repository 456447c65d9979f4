package dev.bellhop.operator.hotelservice;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/** An informer's item store with a {@link LabelIndex} over the keys {@code indexKeys} gives each object. */
class LabelIndexedStore<T extends HasMetadata> implements ItemStore<T> {
  private final Map<String, T> items = new ConcurrentHashMap<>();
  private final LabelIndex index = new LabelIndex();
  private final Function<T, List<String>> indexKeys;

  LabelIndexedStore(Function<T, List<String>> indexKeys) {
    this.indexKeys = indexKeys;
  }

  /** The objects under an index key. */
  List<T> withIndexKey(String key) {
    return index.get(key).stream().map(items::get).filter(Objects::nonNull).toList();
  }

  /** What is kept of an object the informer hands in. */
  T stored(T item) {
    return item;
  }

  @Override
  public String getKey(T item) {
    return Cache.metaNamespaceKeyFunc(item);
  }

  @Override
  public T put(String key, T item) {
    T kept = stored(item);
    T old = items.put(key, kept);
    index.update(key, old == null ? List.of() : indexKeys.apply(old), indexKeys.apply(kept));
    return old;
  }

  @Override
  public T remove(String key) {
    T old = items.get(key);
    if (old != null) {
      index.update(key, indexKeys.apply(old), List.of());
    }
    return items.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return items.keySet().stream();
  }

  @Override
  public Stream<T> values() {
    return items.values().stream();
  }

  @Override
  public int size() {
    return items.size();
  }

  @Override
  public T get(String key) {
    return items.get(key);
  }
}
