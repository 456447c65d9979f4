package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.consulcluster.ConsulEndpoint;
import dev.bellhop.operator.consulcluster.ConsulEndpoints;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulRegistrationSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.ConsulCatalog;
import dev.bellhop.operator.registration.ConsulTransport;
import dev.bellhop.operator.registration.RegistrationSync;
import dev.bellhop.operator.threads.DaemonThreads;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Which Consul a HotelService registers into, and the sync engine for it: the ConsulCluster it
 * names ({@code spec.consul.cluster}); without a name, the namespace's ConsulCluster {@code consul}
 * if there is one, else the operator-wide {@code CONSUL_HTTP_ADDR}. One engine per Consul, kept for
 * the operator's life. Resolutions are cached for 5 s, or until the ConsulCluster changes (with
 * {@link #useClusterCache}, the ConsulClusters come from an informer's cache, so a namespace
 * without one costs no API read), because they cost API reads on the event-to-Consul path. A stale
 * resolution that gives a usable Consul is refreshed in the background and used meanwhile (its
 * reads took tens of milliseconds on a busy API server, every few seconds, in a pod event's path);
 * one that gives none is looked up at once, once for all who ask together. When a background
 * refresh finds another answer, the {@link #onChange} listener is told the namespace, so that its
 * HotelServices are reconciled again.
 */
final class ConsulTargets implements AutoCloseable {
  private static final String FALLBACK = "";
  private static final long CACHE_NANOS = 5_000_000_000L;

  private final KubernetesClient client;
  private final ConsulEndpoints endpoints;
  private final String fallbackAddress;
  private final String fallbackToken;
  private final String clusterId;
  private final Function<ConsulCatalog, RegistrationSync> engines;
  private volatile Consumer<String> changed = namespace -> {};
  private volatile BiFunction<String, String, Optional<ConsulCluster>> clusterCache;
  private final Map<String, RegistrationSync> byCluster = new ConcurrentHashMap<>();
  private final Map<String, Cached> resolved = new ConcurrentHashMap<>();
  private final Map<String, SSLContext> tlsByCa = new ConcurrentHashMap<>();
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private final Map<String, Object> lookUpLocks = new ConcurrentHashMap<>();
  private final ExecutorService refresher =
      Executors.newSingleThreadExecutor(DaemonThreads.named("consul-target-refresh"));

  ConsulTargets(
      KubernetesClient client,
      String fallbackAddress,
      String fallbackToken,
      String clusterId,
      Function<ConsulCatalog, RegistrationSync> engines) {
    this.client = client;
    this.endpoints = new ConsulEndpoints(client);
    this.fallbackAddress = fallbackAddress;
    this.fallbackToken = fallbackToken;
    this.clusterId = clusterId;
    this.engines = engines;
  }

  /** The engine for the HotelService's Consul, or why there is none yet. */
  Target resolve(HotelService hs) {
    String namespace = hs.getMetadata().getNamespace();
    ConsulRegistrationSpec consul = hs.getSpec().getConsul();
    String named = consul == null ? null : consul.getCluster();
    String name = hs.consulClusterName();
    String key = namespace + "/" + name;
    Cached cached = resolved.get(key);
    if (stale(cached, namespace, name)) {
      if (cached != null && usable(cached, named)) {
        refreshLater(key, namespace, name);
      } else {
        // One lookup for all who ask at once (a cold start asks for every HotelService together).
        synchronized (lookUpLocks.computeIfAbsent(key, k -> new Object())) {
          cached = resolved.get(key);
          if (stale(cached, namespace, name)) {
            cached = lookUp(key, namespace, name);
          }
        }
      }
    }
    if (cached.endpoint != null) {
      ConsulEndpoint endpoint = cached.endpoint;
      RegistrationSync engine =
          byCluster.computeIfAbsent(key, k -> engines.apply(catalog(endpoint)));
      engine.catalog().reconnect(endpoint.httpAddresses(), endpoint.token(), tls(endpoint));
      return new Target(key, engine, null);
    }
    boolean missing = !cached.exists;
    if (named == null && missing && fallbackAddress != null) {
      return new Target(
          FALLBACK,
          byCluster.computeIfAbsent(
              FALLBACK,
              k -> engines.apply(new ConsulCatalog(fallbackAddress, fallbackToken, clusterId))),
          null);
    }
    String why = cached.problem != null ? cached.problem : endpoints.whyNotReady(namespace, name);
    if (named == null && missing) {
      why = why + " and CONSUL_HTTP_ADDR is not set";
    }
    return new Target(key, null, why);
  }

  /**
   * Older than the cache time, or the ConsulCluster changed since (as far as the informer's cache
   * tells).
   */
  private boolean stale(Cached cached, String namespace, String name) {
    return cached == null
        || System.nanoTime() - cached.at > CACHE_NANOS
        || clusterCache != null
            && !Objects.equals(cached.version, version(cluster(namespace, name)));
  }

  private Optional<ConsulCluster> cluster(String namespace, String name) {
    var cache = clusterCache;
    return cache != null
        ? cache.apply(namespace, name)
        : Optional.ofNullable(
            client.resources(ConsulCluster.class).inNamespace(namespace).withName(name).get());
  }

  private static String version(Optional<ConsulCluster> cc) {
    return cc.map(c -> c.getMetadata().getResourceVersion()).orElse(null);
  }

  /**
   * ConsulClusters from an informer's cache instead of API reads: a HotelService without one (e.g.
   * on CONSUL_HTTP_ADDR) resolves without any read, and a ConsulCluster's change is seen at once.
   */
  void useClusterCache(BiFunction<String, String, Optional<ConsulCluster>> cache) {
    this.clusterCache = cache;
  }

  /**
   * Missing and falling back to CONSUL_HTTP_ADDR costs no read with the cluster cache (one
   * without).
   */
  private Cached lookUp(String key, String namespace, String name) {
    Optional<ConsulCluster> cc = cluster(namespace, name);
    boolean exists = cc.isPresent();
    ConsulEndpoint endpoint = exists ? endpoints.resolve(namespace, name).orElse(null) : null;
    // Why a missing one can't be used is asked only when it matters (no fallback): see resolve.
    String problem = exists && endpoint == null ? endpoints.whyNotReady(namespace, name) : null;
    Cached cached = new Cached(System.nanoTime(), endpoint, exists, problem, version(cc));
    resolved.put(key, cached);
    return cached;
  }

  /** Who to tell (with the namespace) when a background refresh changed a resolution. */
  void onChange(Consumer<String> changed) {
    this.changed = changed;
  }

  /**
   * Whether a resolution gives an engine: the ConsulCluster's endpoint, or the fallback address.
   */
  private boolean usable(Cached cached, String named) {
    return cached.endpoint != null || named == null && !cached.exists && fallbackAddress != null;
  }

  private void refreshLater(String key, String namespace, String name) {
    if (!refreshing.add(key)) {
      return;
    }
    try {
      refresher.execute(
          () -> {
            try {
              Cached before = resolved.get(key);
              Cached after = lookUp(key, namespace, name);
              if (before == null
                  || !Objects.equals(before.endpoint, after.endpoint)
                  || before.exists != after.exists) {
                changed.accept(namespace);
              }
            } catch (RuntimeException e) {
              resolved.remove(key); // the next resolve looks it up itself and reports what fails
            } finally {
              refreshing.remove(key);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      refreshing.remove(key); // closing
    }
  }

  /** Forgets cached resolutions, e.g. after Consul failed to answer at the addresses they gave. */
  void invalidate() {
    resolved.clear();
  }

  /**
   * Every engine in use, e.g. to remove a HotelService's entries from a Consul it no longer uses.
   */
  Collection<Map.Entry<String, RegistrationSync>> engines() {
    return List.copyOf(byCluster.entrySet());
  }

  private ConsulCatalog catalog(ConsulEndpoint endpoint) {
    return new ConsulCatalog(endpoint.httpAddresses(), endpoint.token(), tls(endpoint), clusterId);
  }

  /** One SSLContext per CA, so that an unchanged endpoint never makes the catalog reconnect. */
  private SSLContext tls(ConsulEndpoint endpoint) {
    return endpoint.caCertPem() == null
        ? null
        : tlsByCa.computeIfAbsent(endpoint.caCertPem(), ConsulTransport::trusting);
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    byCluster.values().forEach(RegistrationSync::close);
  }

  /**
   * @param version the ConsulCluster's resourceVersion when resolved, null when it did not exist
   */
  private record Cached(
      long at, ConsulEndpoint endpoint, boolean exists, String problem, String version) {}

  /**
   * @param key names the Consul ("namespace/consulcluster", or "" for CONSUL_HTTP_ADDR)
   * @param engine null when the Consul can't be used yet
   * @param problem why not, for the condition
   */
  record Target(String key, RegistrationSync engine, String problem) {}
}
