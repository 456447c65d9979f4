package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.Kube;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The stores' label indexes while the informer writes: what an update leaves unchanged is never
 * missing from a lookup. (fabric8's cache index takes the object out and puts it back on every
 * update; a pod event mapped in between was lost.)
 */
class LabelIndexTest {
  private static final int UPDATES = 200_000;

  @Test
  void aPodWhoseLabelsDoNotChangeIsFoundThroughoutItsUpdates() throws Exception {
    SlimPodStore store = new SlimPodStore();
    Pod pod = Kube.pod("a", "geo-1", Map.of("app", "geo"), "n", "10.0.0.1", true);
    String key = store.getKey(pod);
    store.put(key, pod);
    String label = Labels.indexKeys(pod).get(0);

    assertNeverMissing(
        () -> store.withIndexKey(label),
        () -> {
          for (int i = 0; i < UPDATES; i++) {
            pod.getMetadata().setResourceVersion(String.valueOf(i));
            store.put(key, pod);
          }
        });
  }

  @Test
  void aHotelServiceWhoseSelectorDoesNotChangeIsFoundThroughoutItsUpdates() throws Exception {
    LabelIndexedStore<HotelService> store = new LabelIndexedStore<>(Labels::indexKeys);
    HotelService hs = Kube.hotelService("a", "geo", 8080, Map.of("app", "geo"));
    String key = store.getKey(hs);
    store.put(key, hs);
    String label = Labels.indexKeys(hs).get(0);

    assertNeverMissing(
        () -> store.withIndexKey(label),
        () -> {
          for (int i = 0; i < UPDATES; i++) {
            hs.getMetadata().setResourceVersion(String.valueOf(i)); // e.g. its status written
            store.put(key, hs);
          }
        });
  }

  @Test
  void entriesFollowLabelChangesAndRemovals() {
    SlimPodStore pods = new SlimPodStore();
    Pod pod = Kube.pod("a", "geo-1", Map.of("app", "geo", "track", "v1"), "n", "10.0.0.1", true);
    String key = pods.getKey(pod);
    pods.put(key, pod);
    assertThat(pods.withIndexKey("a/track=v1")).hasSize(1);

    pod.getMetadata().setLabels(Map.of("app", "geo", "track", "v2"));
    pods.put(key, pod);
    assertThat(pods.withIndexKey("a/track=v1")).isEmpty();
    assertThat(pods.withIndexKey("a/track=v2")).hasSize(1);
    assertThat(pods.withIndexKey("a/app=geo")).hasSize(1);

    pods.remove(key);
    assertThat(pods.withIndexKey("a/app=geo")).isEmpty();
    assertThat(pods.size()).isZero();

    LabelIndexedStore<HotelService> hotelServices = new LabelIndexedStore<>(Labels::indexKeys);
    HotelService hs = Kube.hotelService("a", "geo", 8080, Map.of("app", "geo"));
    hotelServices.put(hotelServices.getKey(hs), hs);
    HotelService moved =
        Kube.hotelService("a", "geo", 8080, Map.of("app", "rate")); // informers hand in new objects
    hotelServices.put(hotelServices.getKey(moved), moved);
    assertThat(hotelServices.withIndexKey("a/app=geo")).isEmpty();
    assertThat(hotelServices.withIndexKey("a/app=rate")).containsExactly(moved);
  }

  /**
   * Runs {@code writer} while another thread looks up, and asserts that no lookup came back empty.
   */
  private static void assertNeverMissing(Supplier<List<?>> lookup, Runnable writer)
      throws Exception {
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<Long> misses =
        CompletableFuture.supplyAsync(
            () -> {
              long missed = 0;
              while (writing.get()) {
                if (lookup.get().isEmpty()) {
                  missed++;
                }
              }
              return missed;
            });
    try {
      writer.run();
    } finally {
      writing.set(false);
    }
    assertThat(misses.get()).as("lookups that missed the object").isZero();
  }
}
