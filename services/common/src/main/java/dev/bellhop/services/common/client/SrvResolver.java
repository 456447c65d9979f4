package dev.bellhop.services.common.client;

import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dns-srv:<name>}: instances from an SRV lookup, cached for the records' TTL. Concurrent
 * callers share one lookup; when the DNS server fails, the last answer is reused (an outage of the
 * registry should not take down a working call path).
 */
public final class SrvResolver implements EndpointResolver {
  private static final Logger log = LoggerFactory.getLogger(SrvResolver.class);

  private record Cached(Future<List<Endpoint>> endpoints, long expiresAtNanos) {}

  private final String name;
  private final DnsSrvClient dns;
  private volatile Cached cached;
  private Future<List<Endpoint>> lookup; // guarded by this

  public SrvResolver(String name, DnsSrvClient dns) {
    this.name = name;
    this.dns = dns;
  }

  @Override
  public Future<List<Endpoint>> resolve() {
    Cached current = cached;
    if (current != null && System.nanoTime() < current.expiresAtNanos) {
      return current.endpoints;
    }
    synchronized (this) {
      if (lookup != null) {
        return lookup;
      }
      Future<List<Endpoint>> started =
          dns.lookup(name)
              .transform(
                  ar -> {
                    synchronized (this) {
                      lookup = null;
                    }
                    if (ar.succeeded()) {
                      List<Endpoint> endpoints = ar.result().endpoints();
                      if (endpoints.isEmpty()) {
                        cached = null;
                        return Future.failedFuture(
                            new UpstreamUnavailableException(
                                "no instances of " + name + " in DNS"));
                      }
                      Future<List<Endpoint>> value = Future.succeededFuture(endpoints);
                      cached =
                          new Cached(
                              value, System.nanoTime() + ar.result().ttlSeconds() * 1_000_000_000L);
                      return value;
                    }
                    if (current != null) {
                      log.atWarn()
                          .addKeyValue("name", name)
                          .addKeyValue("error", String.valueOf(ar.cause().getMessage()))
                          .log("SRV lookup failed, using the last answer");
                      return current.endpoints;
                    }
                    return Future.failedFuture(
                        new UpstreamUnavailableException(
                            "SRV lookup of "
                                + name
                                + " via "
                                + dns.server()
                                + " failed: "
                                + ar.cause().getMessage()));
                  });
      if (!started.isComplete()) {
        lookup = started;
      }
      return started;
    }
  }

  @Override
  public String describe() {
    return "dns-srv:" + name;
  }
}
