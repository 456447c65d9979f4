package dev.bellhop.services.gateway;

import dev.bellhop.services.common.rpc.RpcException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's view of Consul.
 *
 * <ul>
 *   <li>Which services exist: one blocking watch on {@code /v1/catalog/services}. A name not in it
 *       answers 404 at once, without a round trip to Consul. Until that watch first answers the
 *       gateway is not ready and every call gets 503.
 *   <li>Where a service runs: one blocking watch on {@code /v1/health/service/<name>} per service
 *       in use, started by the first request for it, stopped when the service leaves the catalog or
 *       has had no request for {@code GATEWAY_WATCH_IDLE_MS}. Only the instances {@link
 *       Publication} publishes count: a name with none (Consul itself, someone else's service,
 *       another namespace's) answers the same 404 as a name Consul does not know; one whose
 *       published instances are all failing answers 503.
 *   <li>While Consul is unreachable every watch retries and the last known table stays in use.
 * </ul>
 *
 * The watches run on one Vert.x context; request handlers on any event loop only read.
 */
final class RoutingTable {
  private static final Logger log = LoggerFactory.getLogger(RoutingTable.class);

  private final Context context;
  private final ConsulClient consul;
  private final GatewaySettings settings;
  private final GatewayMetrics metrics;
  private final Publication publication;
  private final Map<String, ServiceRoute> routes = new ConcurrentHashMap<>();
  private final Promise<Void> catalogLoaded = Promise.promise();
  private volatile Set<String> services; // null until Consul first answered
  private ConsulWatch catalogWatch;
  private long sweepTimer = -1;
  private volatile boolean closed;

  RoutingTable(
      Context context, ConsulClient consul, GatewaySettings settings, GatewayMetrics metrics) {
    this.context = context;
    this.consul = consul;
    this.settings = settings;
    this.metrics = metrics;
    this.publication = new Publication(settings.namespaces());
    metrics.routingTable(this);
  }

  /** Starts the catalog watch; the future completes when Consul first answered. */
  Future<Void> start() {
    catalogWatch =
        new ConsulWatch(
            context,
            consul,
            "/v1/catalog/services",
            settings.watchWaitSeconds(),
            this::catalogChanged,
            metrics::consulError);
    catalogWatch.start();
    long every = Math.max(1_000, Math.min(60_000, settings.watchIdleMillis() / 2));
    context.runOnContext(v -> sweepTimer = context.owner().setPeriodic(every, id -> sweepIdle()));
    return catalogLoaded.future();
  }

  boolean isLoaded() {
    return services != null;
  }

  int serviceCount() {
    Set<String> known = services;
    return known == null ? 0 : known.size();
  }

  int watchedCount() {
    return routes.size();
  }

  int instanceCount() {
    int total = 0;
    for (ServiceRoute route : routes.values()) {
      total += route.instances().size();
    }
    return total;
  }

  /**
   * The route to {@code service}, its watch started on first use.
   *
   * @throws RpcException 503 before Consul first answered; 404 for a service Consul does not know,
   *     or (once its watch answered) one with no published instance
   */
  ServiceRoute route(String service) {
    ServiceRoute route = routes.get(service);
    if (route == null) {
      Set<String> known = services;
      if (known == null) {
        throw RpcException.unavailable("service discovery not ready: Consul has not answered yet");
      }
      if (!known.contains(service)) {
        throw notFound(service);
      }
      route = routes.computeIfAbsent(service, this::watch);
    }
    if (route.isLoaded() && !route.published()) {
      throw notFound(service);
    }
    return route;
  }

  /**
   * The one answer for a service the gateway does not publish, whether Consul lists it or not: a
   * caller cannot tell which services exist behind it.
   */
  static RpcException notFound(String service) {
    return RpcException.notFound("service not found: " + service);
  }

  private ServiceRoute watch(String service) {
    ServiceRoute route = new ServiceRoute(service, settings, metrics);
    // Every instance, not ?passing=true: whether a service is published (404) or only failing
    // (503) depends on the published instances that are not passing too.
    String path = "/v1/health/service/" + URLEncoder.encode(service, StandardCharsets.UTF_8);
    route.watch =
        new ConsulWatch(
            context,
            consul,
            path,
            settings.watchWaitSeconds(),
            body -> route.update(parseInstances(body, publication)),
            metrics::consulError);
    metrics.watching(route);
    log.atInfo().addKeyValue("service", service).log("watching service");
    if (!closed) {
      route.watch.start();
    }
    return route;
  }

  /** What a health watch found: how many published instances, and those of them that pass. */
  record Instances(int published, List<Instance> passing) {}

  /**
   * Consul's health entries, the published ones only: the service's address, else its node's;
   * passing ones sorted by ID for stable rotation.
   */
  static Instances parseInstances(Buffer body, Publication publication) {
    JsonArray entries = new JsonArray(body);
    List<Instance> instances = new ArrayList<>(entries.size());
    int published = 0;
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.getJsonObject(i);
      JsonObject service = entry.getJsonObject("Service");
      JsonObject node = entry.getJsonObject("Node");
      if (service == null || !publication.publishes(service)) {
        continue;
      }
      published++;
      if (!Publication.passing(service.getString("ID"), entry.getJsonArray("Checks"))) {
        continue;
      }
      String address = service.getString("Address");
      if (address == null || address.isEmpty()) {
        address = node == null ? null : node.getString("Address");
      }
      Integer port = service.getInteger("Port");
      if (address == null || address.isEmpty() || port == null || port <= 0) {
        continue;
      }
      String nodeName = node == null ? "" : node.getString("Node", "");
      instances.add(
          new Instance(
              nodeName + "/" + service.getString("ID", address + ":" + port), address, port));
    }
    instances.sort(Comparator.comparing(instance -> instance.id));
    return new Instances(published, instances);
  }

  private void catalogChanged(Buffer body) {
    Set<String> fresh = Set.copyOf(new JsonObject(body).fieldNames());
    boolean first = services == null;
    services = fresh;
    for (ServiceRoute route : routes.values()) {
      if (!fresh.contains(route.name)) {
        unwatch(route, "left the catalog");
      }
    }
    if (first) {
      log.atInfo().addKeyValue("services", fresh.size()).log("Consul catalog loaded");
      catalogLoaded.tryComplete();
    }
  }

  private void sweepIdle() {
    long now = System.nanoTime();
    long idle = TimeUnit.MILLISECONDS.toNanos(settings.watchIdleMillis());
    for (ServiceRoute route : routes.values()) {
      if (now - route.lastUsedNanos() > idle) {
        unwatch(route, "idle");
      }
    }
  }

  private void unwatch(ServiceRoute route, String why) {
    if (routes.remove(route.name, route)) {
      route.watch.stop();
      metrics.unwatched(route);
      log.atInfo()
          .addKeyValue("service", route.name)
          .addKeyValue("why", why)
          .log("stopped watching service");
    }
  }

  Future<Void> close() {
    closed = true;
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          if (catalogWatch != null) {
            catalogWatch.stop();
          }
          if (sweepTimer >= 0) {
            context.owner().cancelTimer(sweepTimer);
          }
          routes.values().forEach(route -> route.watch.stop());
          done.complete();
        });
    return done.future();
  }
}
