package dev.bellhop.operator;

import dev.bellhop.operator.consulcluster.ConsulClusterReconciler;
import dev.bellhop.operator.consulcluster.ConsulRestoreReconciler;
import dev.bellhop.operator.hotelservice.HotelServiceReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bellhop's operator: the HotelService and ConsulCluster controllers and the HTTP endpoints. */
public final class BellhopOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BellhopOperator.class);
  private final Operator operator;
  private final HotelServiceReconciler hotelServices;
  private final OperatorHttpServer http;
  private final PrometheusMeterRegistry meters;
  private volatile boolean closing;

  private BellhopOperator(KubernetesClient client, OperatorConfig config) {
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    operator =
        new Operator(
            o -> {
              // The same code path everywhere: fabric8's mock API server has no server-side apply.
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters))
                  // One informer that cannot list (RBAC in one namespace, an object that does not
                  // deserialize) must
                  // not stop the operator and every other controller: JOSDK retries a refused list,
                  // fabric8 stops an
                  // informer whose list does not deserialize, and either shows on /healthz (the
                  // liveness probe's
                  // call) instead of JOSDK's default System.exit(1).
                  .withStopOnInformerErrorDuringStartup(false)
                  .withInformerStoppedHandler(
                      (informer, error) -> {
                        if (error != null && !closing) {
                          LOG.atError()
                              .addKeyValue("informer", informer.getApiTypeClass().getSimpleName())
                              .addKeyValue("error", error.toString())
                              .log("informer stopped; /healthz reports it");
                        }
                      });
              if (config.leaseNamespace() != null) {
                o.withLeaderElectionConfiguration(leaderElection(config.leaseNamespace()));
              }
            });
    hotelServices =
        new HotelServiceReconciler(
            client, config, new KubernetesEvents(client), meters, Clock.systemUTC());
    // Consul outages can last: keep retrying, backing off to a few seconds.
    var retry =
        new GenericRetry()
            .withoutMaxAttempts()
            .setInitialInterval(250)
            .setIntervalMultiplier(2)
            .setMaxInterval(5_000);
    var hotelServiceConfig =
        ControllerConfigurationOverrider.override(
                operator.getConfigurationService().getConfigurationFor(hotelServices))
            .withRetry(retry);
    if (!config.namespaces().isEmpty()) {
      hotelServiceConfig.settingNamespaces(config.namespaces());
    }
    operator.register(hotelServices, hotelServices.configuration(hotelServiceConfig));
    // Provisions the Consul clusters (ConsulCluster resources) that HotelServices register into.
    operator.register(
        new ConsulClusterReconciler(
            client, new KubernetesEvents(client), Clock.systemUTC(), config.image()),
        c -> {
          c.withRetry(retry);
          if (!config.namespaces().isEmpty()) {
            c.settingNamespaces(config.namespaces());
          }
        });
    // Restores one snapshot of a ConsulCluster (ConsulRestore resources), once each.
    operator.register(
        new ConsulRestoreReconciler(
            client, new KubernetesEvents(client), Clock.systemUTC(), config.image()),
        c -> {
          c.withRetry(retry);
          if (!config.namespaces().isEmpty()) {
            c.settingNamespaces(config.namespaces());
          }
        });
    http =
        config.httpPort() < 0
            ? null
            : new OperatorHttpServer(config.bindAddress(), config.httpPort(), operator, meters);
  }

  /**
   * Two replicas, one writer. A replica that loses its lease exits (its replacement starts as a
   * follower); one that is being stopped just stops. Identities are unique per process, so replicas
   * never share one even where HOSTNAME repeats.
   */
  private LeaderElectionConfiguration leaderElection(String namespace) {
    String identity =
        Optional.ofNullable(System.getenv("HOSTNAME")).orElse("bellhop")
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    var callbacks =
        new LeaderCallbacks(
            () -> {},
            () -> {
              if (!closing) {
                LOG.atError()
                    .addKeyValue("identity", identity)
                    .log("lost the leader lease, exiting");
                System.exit(1);
              }
            },
            leader -> LOG.atInfo().addKeyValue("leader", leader).log("new leader"));
    return new LeaderElectionConfiguration(
        "bellhop-operator",
        namespace,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        identity,
        callbacks,
        false);
  }

  /**
   * Starts the operator against {@code client}; returns once its caches have synced (or it waits
   * for leadership).
   */
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
    closing = true;
    if (http != null) {
      http.stop();
    }
    operator.stop();
    hotelServices.close();
  }
}
