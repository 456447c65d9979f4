package dev.bellhop.services.hotel;

import dev.bellhop.services.common.client.DnsSrvClient;
import dev.bellhop.services.common.client.EndpointResolver;
import dev.bellhop.services.common.client.RpcClient;
import dev.bellhop.services.common.client.UpstreamAddress;
import dev.bellhop.services.common.server.ServiceConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hotel API's four upstreams and their timeouts, from the environment: {@code AUTH_ADDR},
 * {@code GEO_ADDR}, {@code PROFILE_ADDR}, {@code RATE_ADDR} as {@code static:host:port[,...]} or
 * {@code dns-srv:<name>}; SRV names are resolved against {@code DNS_SERVER} (host:port, default
 * Consul's 127.0.0.1:8600).
 */
public record Upstreams(
    RpcClient auth,
    RpcClient geo,
    RpcClient profile,
    RpcClient rate,
    Duration callTimeout,
    Duration requestTimeout,
    HttpClient http,
    DnsSrvClient dns) {
  private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

  public static Upstreams fromConfig(Vertx vertx, ServiceConfig config) {
    String authAddr = config.env("AUTH_ADDR", "static:127.0.0.1:8081");
    String geoAddr = config.env("GEO_ADDR", "static:127.0.0.1:8082");
    String profileAddr = config.env("PROFILE_ADDR", "static:127.0.0.1:8083");
    String rateAddr = config.env("RATE_ADDR", "static:127.0.0.1:8084");
    boolean needsDns =
        Stream.of(authAddr, geoAddr, profileAddr, rateAddr).anyMatch(a -> a.startsWith("dns-srv:"));
    Duration callTimeout = Duration.ofMillis(config.envInt("UPSTREAM_TIMEOUT_MS", 1000));
    Duration requestTimeout = Duration.ofMillis(config.envInt("REQUEST_TIMEOUT_MS", 3000));
    // A quarter of a call's budget for its SRV lookup: a lost or unanswered query (a Consul server
    // just killed) then falls back to the last answer in time for the call itself.
    DnsSrvClient dns =
        needsDns
            ? DnsSrvClient.forServer(
                vertx,
                config.env("DNS_SERVER", "127.0.0.1:8600"),
                Math.max(50, callTimeout.toMillis() / 4))
            : null;
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setIdleTimeout(60),
            new PoolOptions().setHttp1MaxSize(config.envInt("UPSTREAM_POOL_SIZE", 64)));
    Upstreams upstreams =
        new Upstreams(
            client(vertx, http, "auth", authAddr, dns),
            client(vertx, http, "geo", geoAddr, dns),
            client(vertx, http, "profile", profileAddr, dns),
            client(vertx, http, "rate", rateAddr, dns),
            callTimeout,
            requestTimeout,
            http,
            dns);
    log.atInfo()
        .addKeyValue("auth", authAddr)
        .addKeyValue("geo", geoAddr)
        .addKeyValue("profile", profileAddr)
        .addKeyValue("rate", rateAddr)
        .addKeyValue("dns", dns == null ? "-" : dns.server())
        .addKeyValue("callTimeoutMs", callTimeout.toMillis())
        .addKeyValue("requestTimeoutMs", requestTimeout.toMillis())
        .log("upstreams");
    return upstreams;
  }

  private static RpcClient client(
      Vertx vertx, HttpClient http, String name, String address, DnsSrvClient dns) {
    EndpointResolver resolver;
    try {
      resolver = UpstreamAddress.parse(address, dns);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name.toUpperCase() + "_ADDR: " + e.getMessage(), e);
    }
    return new RpcClient(vertx, http, name, resolver);
  }

  public void close() {
    http.close();
    if (dns != null) {
      dns.close();
    }
  }
}
