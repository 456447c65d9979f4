package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What wakes the HotelService reconciler besides its own resource: its pods (mapped both ways
 * through label indexes, not by scanning every HotelService), a change of the Consul a namespace's
 * HotelServices resolve to, and that namespace's ConsulClusters (whose informer cache also answers
 * {@link ConsulTargets}' look-ups).
 */
final class HotelServiceEventSources {
  private final InformerEventSource<Pod, HotelService> pods;
  private final SimpleInboundEventSource<HotelService> targetChanges;
  private final InformerEventSource<ConsulCluster, HotelService> clusters;

  HotelServiceEventSources(
      EventSourceContext<HotelService> context,
      LabelIndexedStore<HotelService> hotelServices,
      SlimPodStore podStore,
      ConsulTargets targets) {
    var cache = context.getPrimaryCache();
    var config =
        InformerEventSourceConfiguration.from(Pod.class, HotelService.class)
            .withName("pods")
            .withSecondaryToPrimaryMapper(new PodToHotelServiceMapper(hotelServices::withIndexKey))
            .withPrimaryToSecondaryMapper(new HotelServiceToPodsMapper(podStore::withIndexKey))
            .withItemStore(podStore)
            .build();
    pods = new InformerEventSource<>(StorePerInformer.eventSource(config, podStore::view), context);
    // Reconciles a namespace's HotelServices again when the Consul they resolve to changed.
    targetChanges = new SimpleInboundEventSource<>("consul-targets");
    targets.onChange(
        namespace ->
            cache
                .list(namespace)
                .forEach(hs -> targetChanges.propagateEvent(ResourceID.fromResource(hs))));
    // Which Consul a HotelService uses follows its namespace's ConsulClusters.
    clusters =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConsulCluster.class, HotelService.class)
                .withName("consulclusters")
                .withSecondaryToPrimaryMapper(
                    cc ->
                        cache
                            .list(cc.getMetadata().getNamespace())
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    targets.useClusterCache((namespace, name) -> clusters.get(new ResourceID(name, namespace)));
  }

  InformerEventSource<ConsulCluster, HotelService> clusters() {
    return clusters;
  }

  /** These sources, then {@code others} (the workload dependents' informers). */
  List<EventSource<?, HotelService>> with(List<EventSource<?, HotelService>> others) {
    List<EventSource<?, HotelService>> sources = new ArrayList<>();
    sources.add(pods);
    sources.add(targetChanges);
    sources.add(clusters);
    sources.addAll(others);
    return sources;
  }
}
