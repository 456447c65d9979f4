package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Watching several namespaces, JOSDK starts one informer per namespace and asks the configuration
 * for its item store each time. Each must get its own view of Bellhop's store: after a list,
 * fabric8 removes every stored object the list did not return, so with one shared store the second
 * namespace's (empty) list removed the first one's pods, and their HotelServices read them as gone.
 */
class StorePerInformerTest {
  @Test
  void aNamespacesListLeavesTheOtherNamespacesObjects() throws Exception {
    try (var cluster = new MockCluster()) {
      Pod pod = Kube.pod("a", "geo-1", Map.of("app", "geo"), "n", "10.0.0.1", true);
      cluster.client().resource(pod).create();
      SlimPodStore store = new SlimPodStore();
      var configured =
          InformerEventSourceConfiguration.from(Pod.class, HotelService.class)
              .withSecondaryToPrimaryMapper(p -> Set.of())
              .withItemStore(store)
              .build();
      var informerConfig =
          StorePerInformer.eventSource(configured, store::view).getInformerConfig();
      String label = Labels.indexKeys(pod).get(0);

      List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
      try {
        // In this order the race JOSDK's parallel start left to chance is certain: a, then b.
        for (String namespace : List.of("a", "b")) {
          ItemStore<Pod> own = informerConfig.getItemStore();
          assertThat(store.backs(own)).isTrue();
          var informer = cluster.client().pods().inNamespace(namespace).runnableInformer(0);
          informer.itemStore(own);
          informers.add(informer);
          informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
          assertThat(store.withIndexKey(label))
              .as("the pod of a, once %s's informer listed", namespace)
              .extracting(p -> p.getMetadata().getName())
              .containsExactly("geo-1");
        }
        assertThat(informers.get(0).getStore().list()).hasSize(1);
        assertThat(informers.get(1).getStore().list()).isEmpty();
      } finally {
        informers.forEach(SharedIndexInformer::close);
      }
    }
  }

  @Test
  void aViewRemovesOnlyWhatItWrote() {
    LabelIndexedStore<HotelService> store = new LabelIndexedStore<>(Labels::indexKeys);
    ItemStore<HotelService> a = store.view();
    ItemStore<HotelService> b = store.view();
    HotelService hs = Kube.hotelService("a", "geo", 8080, Map.of("app", "geo"));
    String key = a.getKey(hs);
    a.put(key, hs);

    assertThat(b.remove(key)).isNull();
    assertThat(b.get(key)).isNull();
    assertThat(b.size()).isZero();
    assertThat(store.get(key)).isSameAs(hs);
    assertThat(a.values()).containsExactly(hs);
    assertThat(a.remove(key)).isSameAs(hs);
    assertThat(store.get(key)).isNull();
    assertThat(store.withIndexKey(Labels.indexKeys(hs).get(0))).isEmpty();
  }
}
