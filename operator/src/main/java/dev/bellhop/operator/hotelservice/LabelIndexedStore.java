package dev.bellhop.operator.hotelservice;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An informer's item store, indexed by the keys {@code indexKeys} gives each object (a namespace
 * and a label, see {@link Labels}), and safe to look up while the informer writes. fabric8's cache
 * indexes are not: on every update they take the object out of its index entries and then put it
 * back, so a lookup in between misses an object whose labels never changed. A pod event mapped in
 * that moment was lost (its HotelService's status was being written), and a reconcile could miss a
 * pod and deregister it. Here an update touches only the entries that change, each atomically.
 */
class LabelIndexedStore<T extends HasMetadata> implements ItemStore<T> {
  private final Map<String, T> items = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> index = new ConcurrentHashMap<>();
  private final Function<T, List<String>> indexKeys;

  LabelIndexedStore(Function<T, List<String>> indexKeys) {
    this.indexKeys = indexKeys;
  }

  /** The objects under an index key. */
  List<T> withIndexKey(String key) {
    Set<String> keys = index.get(key);
    return keys == null
        ? List.of()
        : keys.stream().map(items::get).filter(Objects::nonNull).toList();
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
    reindex(key, old == null ? List.of() : indexKeys.apply(old), indexKeys.apply(kept));
    return old;
  }

  @Override
  public T remove(String key) {
    T old = items.get(key);
    if (old != null) {
      reindex(key, indexKeys.apply(old), List.of());
    }
    return items.remove(key);
  }

  /**
   * Adds what is new, then removes what went: an entry that stays is never left, not even for a
   * moment.
   */
  private void reindex(String item, List<String> before, List<String> after) {
    for (String key : after) {
      if (!before.contains(key)) {
        index.compute(
            key,
            (k, set) -> {
              Set<String> items = set == null ? ConcurrentHashMap.newKeySet() : set;
              items.add(item);
              return items;
            });
      }
    }
    for (String key : before) {
      if (!after.contains(key)) {
        index.computeIfPresent(
            key,
            (k, set) -> {
              set.remove(item);
              return set.isEmpty() ? null : set;
            });
      }
    }
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

  /**
   * This store as one informer sees it: writes go through to the shared items and index, and the
   * informer lists back only what it wrote. Watching several namespaces, JOSDK runs one informer
   * per namespace; after each list fabric8 removes every stored object that list did not return
   * ({@code ProcessorStore.retainAll}), so one store shared by all of them lost every other
   * namespace's objects (and sent delete events for them) at each namespace's list. See {@link
   * StorePerInformer}.
   */
  ItemStore<T> view() {
    return new View();
  }

  /** Whether {@code store} is this store or one of its views. */
  boolean backs(ItemStore<?> store) {
    return store == this || store instanceof LabelIndexedStore<?>.View v && v.store() == this;
  }

  private final class View implements ItemStore<T> {
    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    LabelIndexedStore<T> store() {
      return LabelIndexedStore.this;
    }

    @Override
    public String getKey(T item) {
      return LabelIndexedStore.this.getKey(item);
    }

    @Override
    public T put(String key, T item) {
      keys.add(key);
      return LabelIndexedStore.this.put(key, item);
    }

    @Override
    public T remove(String key) {
      return keys.remove(key) ? LabelIndexedStore.this.remove(key) : null;
    }

    @Override
    public Stream<String> keySet() {
      return keys.stream();
    }

    @Override
    public Stream<T> values() {
      return keys.stream().map(items::get).filter(Objects::nonNull);
    }

    @Override
    public int size() {
      return keys.size();
    }

    @Override
    public T get(String key) {
      return keys.contains(key) ? items.get(key) : null;
    }
  }
}
