package dev.bellhop.operator.hotelservice;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Store keys by index key (a namespace and a label, see {@link Labels}), safe to read while the
 * informer writes. fabric8's cache indexes are not: on every update they take the object out of
 * its index entries and then put it back, so a lookup in between misses an object whose labels
 * never changed. A pod event mapped in that moment was lost (its HotelService's status was being
 * written), and a reconcile could miss a pod and deregister it. Here an update touches only the
 * entries that change, each atomically.
 */
final class LabelIndex {
  private final Map<String, Set<String>> entries = new ConcurrentHashMap<>();

  void update(String item, Collection<String> before, Collection<String> after) {
    for (String key : after) {
      if (!before.contains(key)) {
        entries.compute(key, (k, items) -> {
          Set<String> set = items == null ? ConcurrentHashMap.newKeySet() : items;
          set.add(item);
          return set;
        });
      }
    }
    for (String key : before) {
      if (!after.contains(key)) {
        entries.computeIfPresent(key, (k, items) -> {
          items.remove(item);
          return items.isEmpty() ? null : items;
        });
      }
    }
  }

  Set<String> get(String key) {
    Set<String> items = entries.get(key);
    return items == null ? Set.of() : Set.copyOf(items);
  }
}
