package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.consulcluster.ConsulEndpoint;
import dev.bellhop.operator.consulcluster.ConsulEndpoints;
import dev.bellhop.operator.consulcluster.ConsulHttp;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulRegistrationSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.ConsulCatalog;
import dev.bellhop.operator.registration.RegistrationSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Which Consul a HotelService registers into, and the sync engine for it: the ConsulCluster it
 * names ({@code spec.consul.cluster}); without a name, the namespace's ConsulCluster {@code consul}
 * if there is one, else the operator-wide {@code CONSUL_HTTP_ADDR}. One engine per Consul, kept
 * for the operator's life; resolutions are cached briefly because they cost API reads on the
 * event-to-Consul path. A stale resolution that gives a usable Consul is refreshed in the background
 * and used meanwhile (its reads took tens of milliseconds on a busy API server, every few seconds,
 * in a pod event's path); one that gives none is refreshed at once. When a background refresh finds
 * another answer, {@code changed} is told the namespace, so that its HotelServices are reconciled again.
 */
final class ConsulTargets implements AutoCloseable {
  static final String DEFAULT_CLUSTER = "consul";
  private static final String FALLBACK = "";
  private static final long CACHE_NANOS = 5_000_000_000L;

  private final KubernetesClient client;
  private final ConsulEndpoints endpoints;
  private final String fallbackAddress;
  private final String fallbackToken;
  private final String clusterId;
  private final Function<ConsulCatalog, RegistrationSync> engines;
  private volatile Consumer<String> changed = namespace -> {};
  private final Map<String, RegistrationSync> byCluster = new ConcurrentHashMap<>();
  private final Map<String, Cached> resolved = new ConcurrentHashMap<>();
  private final Map<String, SSLContext> tlsByCa = new ConcurrentHashMap<>();
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
  private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "consul-target-refresh");
    t.setDaemon(true);
    return t;
  });

  ConsulTargets(KubernetesClient client, String fallbackAddress, String fallbackToken, String clusterId,
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
    String name = named == null ? DEFAULT_CLUSTER : named;
    String key = namespace + "/" + name;
    Cached cached = resolved.get(key);
    if (cached == null || System.nanoTime() - cached.at > CACHE_NANOS) {
      if (cached != null && usable(cached, named)) {
        refreshLater(key, namespace, name);
      } else {
        cached = lookUp(key, namespace, name);
      }
    }
    if (cached.endpoint != null) {
      ConsulEndpoint endpoint = cached.endpoint;
      RegistrationSync engine = byCluster.computeIfAbsent(key, k -> engines.apply(catalog(endpoint)));
      engine.catalog().reconnect(endpoint.httpAddresses(), endpoint.token(), tls(endpoint));
      return new Target(key, engine, null);
    }
    boolean missing = !cached.exists;
    if (named == null && missing && fallbackAddress != null) {
      return new Target(FALLBACK, byCluster.computeIfAbsent(FALLBACK,
          k -> engines.apply(new ConsulCatalog(fallbackAddress, fallbackToken, clusterId))), null);
    }
    String why = cached.problem;
    if (named == null && missing) {
      why = why + " and CONSUL_HTTP_ADDR is not set";
    }
    return new Target(key, null, why);
  }

  private Cached lookUp(String key, String namespace, String name) {
    ConsulEndpoint endpoint = endpoints.resolve(namespace, name).orElse(null);
    boolean exists = endpoint != null
        || client.resources(ConsulCluster.class).inNamespace(namespace).withName(name).get() != null;
    Cached cached = new Cached(System.nanoTime(), endpoint, exists,
        endpoint == null ? endpoints.whyNotReady(namespace, name) : null);
    resolved.put(key, cached);
    return cached;
  }

  /** Who to tell (with the namespace) when a background refresh changed a resolution. */
  void onChange(Consumer<String> changed) {
    this.changed = changed;
  }

  /** Whether a resolution gives an engine: the ConsulCluster's endpoint, or the fallback address. */
  private boolean usable(Cached cached, String named) {
    return cached.endpoint != null || named == null && !cached.exists && fallbackAddress != null;
  }

  private void refreshLater(String key, String namespace, String name) {
    if (!refreshing.add(key)) {
      return;
    }
    try {
      refresher.execute(() -> {
        try {
          Cached before = resolved.get(key);
          Cached after = lookUp(key, namespace, name);
          if (before == null || !Objects.equals(before.endpoint, after.endpoint) || before.exists != after.exists) {
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

  /** Every engine in use, e.g. to remove a HotelService's entries from a Consul it no longer uses. */
  Collection<Map.Entry<String, RegistrationSync>> engines() {
    return List.copyOf(byCluster.entrySet());
  }

  private ConsulCatalog catalog(ConsulEndpoint endpoint) {
    return new ConsulCatalog(endpoint.httpAddresses(), endpoint.token(), tls(endpoint), clusterId);
  }

  /** One SSLContext per CA, so that an unchanged endpoint never makes the catalog reconnect. */
  private SSLContext tls(ConsulEndpoint endpoint) {
    return endpoint.caCertPem() == null ? null : tlsByCa.computeIfAbsent(endpoint.caCertPem(), ConsulHttp::sslContext);
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    byCluster.values().forEach(RegistrationSync::close);
  }

  private record Cached(long at, ConsulEndpoint endpoint, boolean exists, String problem) {}

  /**
   * @param key names the Consul ("namespace/consulcluster", or "" for CONSUL_HTTP_ADDR)
   * @param engine null when the Consul can't be used yet
   * @param problem why not, for the condition
   */
  record Target(String key, RegistrationSync engine, String problem) {}
}
