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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Which Consul a HotelService registers into, and the sync engine for it: the ConsulCluster it
 * names ({@code spec.consul.cluster}); without a name, the namespace's ConsulCluster {@code consul}
 * if there is one, else the operator-wide {@code CONSUL_HTTP_ADDR}. One engine per Consul, kept
 * for the operator's life; resolutions are cached briefly because they cost API reads on the
 * event-to-Consul path.
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
  private final Map<String, RegistrationSync> byCluster = new ConcurrentHashMap<>();
  private final Map<String, Cached> resolved = new ConcurrentHashMap<>();
  private final Map<String, SSLContext> tlsByCa = new ConcurrentHashMap<>();

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
      ConsulEndpoint endpoint = endpoints.resolve(namespace, name).orElse(null);
      boolean exists = endpoint != null
          || client.resources(ConsulCluster.class).inNamespace(namespace).withName(name).get() != null;
      cached = new Cached(System.nanoTime(), endpoint, exists,
          endpoint == null ? endpoints.whyNotReady(namespace, name) : null);
      resolved.put(key, cached);
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
