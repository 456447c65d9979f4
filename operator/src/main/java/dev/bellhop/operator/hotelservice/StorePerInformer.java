package dev.bellhop.operator.hotelservice;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.ResolvedControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Configurations that give each informer its own item store. JOSDK 5.2.3 starts one informer per
 * watched namespace and hands every one the single store configured ({@code
 * InformerManager.createEventSource} calls {@code getItemStore()} once per namespace); these answer
 * each call with a new view of Bellhop's store ({@link LabelIndexedStore#view()}), so the informers
 * share the index the mappers read but never each other's lists.
 */
final class StorePerInformer {
  private StorePerInformer() {}

  /**
   * The controller's configuration, its primary informers each given a new view. JOSDK's copy
   * constructor keeps no per-dependent configurations (a controller whose workflow comes from
   * annotations would lose them); the HotelService controller builds its workflow in code.
   */
  static <P extends HasMetadata> ControllerConfiguration<P> controller(
      ControllerConfiguration<P> configured, Supplier<ItemStore<P>> views) {
    InformerConfiguration<P> informer = informer(configured.getInformerConfig(), views);
    return new ResolvedControllerConfiguration<>(configured) {
      @Override
      public InformerConfiguration<P> getInformerConfig() {
        return informer;
      }
    };
  }

  /** An event source's configuration, its informers each given a new view. */
  static <R extends HasMetadata> InformerEventSourceConfiguration<R> eventSource(
      InformerEventSourceConfiguration<R> configured, Supplier<ItemStore<R>> views) {
    InformerConfiguration<R> informer = informer(configured.getInformerConfig(), views);
    return new InformerEventSourceConfiguration<>() {
      @Override
      public InformerConfiguration<R> getInformerConfig() {
        return informer;
      }

      @Override
      public boolean followControllerNamespaceChanges() {
        return configured.followControllerNamespaceChanges();
      }

      @Override
      public SecondaryToPrimaryMapper<R> getSecondaryToPrimaryMapper() {
        return configured.getSecondaryToPrimaryMapper();
      }

      @Override
      public <P extends HasMetadata> PrimaryToSecondaryMapper<P> getPrimaryToSecondaryMapper() {
        return configured.getPrimaryToSecondaryMapper();
      }

      @Override
      public Optional<GroupVersionKind> getGroupVersionKind() {
        return configured.getGroupVersionKind();
      }

      @Override
      public String name() {
        return configured.name();
      }

      @Override
      public Optional<KubernetesClient> getKubernetesClient() {
        return configured.getKubernetesClient();
      }
    };
  }

  private static <R extends HasMetadata> InformerConfiguration<R> informer(
      InformerConfiguration<R> c, Supplier<ItemStore<R>> views) {
    return new InformerConfiguration<>(
        c.getResourceClass(),
        c.getName(),
        c.getNamespaces(),
        c.getFollowControllerNamespaceChanges(),
        c.getLabelSelector(),
        c.getOnAddFilter(),
        c.getOnUpdateFilter(),
        c.getOnDeleteFilter(),
        c.getGenericFilter(),
        c.getItemStore(),
        c.getInformerListLimit(),
        c.getFieldSelector()) {
      @Override
      public ItemStore<R> getItemStore() {
        return views.get();
      }
    };
  }
}
