package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.LABEL_CLUSTER;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;

/**
 * What a ConsulCluster watches besides its dependents: the server and agent pods (readiness, IPs)
 * and the ACL token Secrets, which it labels but does not own, mapped to their cluster by the label
 * {@code bellhop.dev/consulcluster}; and the HotelServices that register into it, whose Consul
 * service names its operator token may write ({@link ConsulAcls}).
 */
final class ClusterEventSources {
  private ClusterEventSources() {}

  static List<EventSource<?, ConsulCluster>> of(EventSourceContext<ConsulCluster> context) {
    return List.of(
        labelled(Pod.class, "consul-pods", context),
        labelled(Secret.class, "consul-secrets", context),
        hotelServices(context));
  }

  /**
   * Reconciles a cluster when a HotelService comes, goes, or changes the cluster or service name it
   * registers as; not on its status writes, which are many.
   */
  private static InformerEventSource<HotelService, ConsulCluster> hotelServices(
      EventSourceContext<ConsulCluster> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(HotelService.class, ConsulCluster.class)
            .withName("hotelservices")
            .withSecondaryToPrimaryMapper(
                hs ->
                    Set.of(new ResourceID(hs.consulClusterName(), hs.getMetadata().getNamespace())))
            .withOnUpdateFilter(
                (now, before) ->
                    !now.consulClusterName().equals(before.consulClusterName())
                        || !now.consulServiceName().equals(before.consulServiceName()))
            .build(),
        context);
  }

  private static <R extends HasMetadata> InformerEventSource<R, ConsulCluster> labelled(
      Class<R> type, String name, EventSourceContext<ConsulCluster> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, ConsulCluster.class)
            .withName(name)
            .withLabelSelector(LABEL_CLUSTER)
            .withSecondaryToPrimaryMapper(
                r -> {
                  String cluster =
                      r.getMetadata().getLabels() == null
                          ? null
                          : r.getMetadata().getLabels().get(LABEL_CLUSTER);
                  return cluster == null
                      ? Set.of()
                      : Set.of(new ResourceID(cluster, r.getMetadata().getNamespace()));
                })
            .build(),
        context);
  }
}
