package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.StatusTimers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's meters (the common {@code rpc_server_requests} counts only its own endpoints:
 * health and metrics): {@code gateway_requests_seconds{upstream,code}} (count and latency per
 * service), {@code gateway_upstream_errors_total{upstream,kind}} (connect, timeout, status_5xx,
 * no_instance), {@code gateway_retries_total{upstream}}, {@code gateway_ejections_total{upstream}},
 * {@code gateway_routing_services} (names in the catalog), {@code
 * gateway_routing_watched_services}, {@code gateway_routing_instances} (all passing instances of
 * watched services), {@code gateway_routing_service_instances{upstream}}, {@code
 * gateway_consul_errors_total}. Requests for services Consul does not know are counted under {@code
 * upstream="_unknown"}; the registry's common tag {@code service="gateway"} names the gateway
 * itself.
 */
final class GatewayMetrics {
  static final String UNKNOWN = "_unknown";
  private static final Map<String, String> DESCRIPTIONS =
      Map.of(
          "gateway.upstream.errors",
              "Failed upstream attempts: connect, timeout, status_5xx, no_instance",
          "gateway.retries", "Calls retried on another instance after a connection failure",
          "gateway.ejections", "Instances ejected by outlier detection");

  private final MeterRegistry registry;
  private final StatusTimers.PerValue requests;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
  private final Counter consulErrors;

  GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.requests =
        new StatusTimers.PerValue(
            registry,
            "gateway.requests",
            "Requests through the gateway, by service and HTTP status",
            "upstream");
    this.consulErrors =
        Counter.builder("gateway.consul.errors")
            .description("Failed Consul watch queries (routing continues on the last table)")
            .register(registry);
  }

  void routingTable(RoutingTable table) {
    Gauge.builder("gateway.routing.services", table, RoutingTable::serviceCount)
        .description("Services in Consul's catalog")
        .register(registry);
    Gauge.builder("gateway.routing.watched.services", table, RoutingTable::watchedCount)
        .description("Services the gateway watches (in use)")
        .register(registry);
    Gauge.builder("gateway.routing.instances", table, RoutingTable::instanceCount)
        .description("Passing instances of the watched services")
        .register(registry);
  }

  void watching(ServiceRoute route) {
    gauges.computeIfAbsent(
        route.name,
        name ->
            Gauge.builder("gateway.routing.service.instances", route, r -> r.instances().size())
                .description("Passing instances of one service")
                .tag("upstream", name)
                .register(registry));
  }

  void unwatched(ServiceRoute route) {
    Gauge gauge = gauges.remove(route.name);
    if (gauge != null) {
      registry.remove(gauge);
    }
  }

  void consulError() {
    consulErrors.increment();
  }

  /**
   * {@code gateway_requests_seconds{upstream,code}} of one upstream ({@link #UNKNOWN} for calls
   * that reach no known service), held by its route, so recording a request builds and hashes no
   * key.
   */
  StatusTimers requests(String service) {
    return requests.of(service);
  }

  void upstreamError(String service, String kind) {
    counter("gateway.upstream.errors", service, kind).increment();
  }

  void retried(String service) {
    counter("gateway.retries", service, null).increment();
  }

  void ejected(String service) {
    counter("gateway.ejections", service, null).increment();
  }

  private Counter counter(String name, String service, String kind) {
    String key = name + ' ' + service + ' ' + kind;
    return counters.computeIfAbsent(
        key,
        k -> {
          Counter.Builder builder =
              Counter.builder(name).description(DESCRIPTIONS.get(name)).tag("upstream", service);
          if (kind != null) {
            builder.tag("kind", kind);
          }
          return builder.register(registry);
        });
  }
}
