package dev.bellhop.operator;

import dev.bellhop.operator.consulcluster.ConsulClusterReconciler;
import dev.bellhop.operator.hotelservice.HotelServiceReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/** Bellhop's operator: the HotelService and ConsulCluster controllers and the HTTP endpoints. */
public final class BellhopOperator implements AutoCloseable {
  private final Operator operator;
  private final HotelServiceReconciler hotelServices;
  private final OperatorHttpServer http;
  private final PrometheusMeterRegistry meters;

  private BellhopOperator(KubernetesClient client, OperatorConfig config) {
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    operator = new Operator(o -> {
      // The same code path everywhere: fabric8's mock API server has no server-side apply.
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
      if (config.leaseNamespace() != null) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("bellhop-operator", config.leaseNamespace()));
      }
    });
    hotelServices = new HotelServiceReconciler(client, config, new KubernetesEvents(client), meters,
        Clock.systemUTC());
    // Consul outages can last: keep retrying, backing off to a few seconds.
    var retry = new GenericRetry().withoutMaxAttempts().setInitialInterval(250).setIntervalMultiplier(2)
        .setMaxInterval(5_000);
    operator.register(hotelServices, c -> {
      c.withRetry(retry);
      if (!config.namespaces().isEmpty()) {
        c.settingNamespaces(config.namespaces());
      }
    });
    // Provisions the Consul clusters (ConsulCluster resources) that HotelServices register into.
    operator.register(new ConsulClusterReconciler(client,
        new KubernetesEvents(client), Clock.systemUTC()), c -> {
      c.withRetry(retry);
      if (!config.namespaces().isEmpty()) {
        c.settingNamespaces(config.namespaces());
      }
    });
    http = config.httpPort() < 0 ? null : new OperatorHttpServer(config.httpPort(), operator, meters);
  }

  /** Starts the operator against {@code client}; returns once its caches have synced (or it waits for leadership). */
  public static BellhopOperator start(KubernetesClient client, OperatorConfig config) {
    BellhopOperator bellhop = new BellhopOperator(client, config);
    bellhop.operator.start();
    if (bellhop.http != null) {
      bellhop.http.start();
    }
    return bellhop;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** The port of /metrics, /healthz and /readyz, or -1. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop();
    }
    operator.stop();
    hotelServices.close();
  }
}
