package dev.bellhop.services.gateway;

import dev.bellhop.services.common.server.ServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The gateway's own settings, read from the environment next to the common ones ({@code PORT},
 * {@code BIND_ADDR}, {@code MAX_BODY_BYTES}, ...).
 *
 * <p>Consul: {@code CONSUL_HTTP_ADDR} ({@code host:port}, {@code http://host:port} or {@code
 * https://host:port}; default {@code 127.0.0.1:8500}), {@code CONSUL_HTTP_SSL=true} for https
 * without a scheme, {@code CONSUL_HTTP_TOKEN} (or {@code CONSUL_HTTP_TOKEN_FILE}), {@code
 * CONSUL_CACERT} (PEM file trusted for https), {@code CONSUL_TLS_SERVER_NAME} (the name the
 * server's certificate must carry, as Consul's CLI reads it; default: the host of the address),
 * {@code CONSUL_HTTP_SSL_VERIFY=false} to skip verification.
 *
 * <p>What is published: GATEWAY_NAMESPACES or POD_NAMESPACE ({@link Publication}). Whose {@code
 * X-Forwarded-For} is believed: GATEWAY_TRUSTED_PROXIES ({@link ClientAddress}). How long a caller
 * may take: GATEWAY_REQUEST_READ_TIMEOUT_MS, GATEWAY_IDLE_TIMEOUT_MS ({@link ClientConnections}).
 */
public record GatewaySettings(
    String consulHost,
    int consulPort,
    boolean consulTls,
    boolean consulTlsVerify,
    String consulToken,
    String consulCaCert,
    String consulTlsServerName,
    int watchWaitSeconds,
    long watchIdleMillis,
    long requestTimeoutMillis,
    long connectTimeoutMillis,
    int maxConnectionsPerInstance,
    Balancing balancing,
    int outlierConsecutiveFailures,
    long outlierEjectionMillis,
    int maxBodyBytes,
    Set<String> namespaces,
    ClientAddress clientAddress,
    int adminPort,
    long requestReadTimeoutMillis,
    long idleTimeoutMillis) {

  /**
   * Health and metrics (ADMIN_PORT; 0: any free port): not the public port, which the Ingress
   * routes to. 9090, as the gateway's Prometheus annotation says.
   */
  public static final int DEFAULT_ADMIN_PORT = 9090;

  public enum Balancing {
    LEAST_OUTSTANDING,
    ROUND_ROBIN
  }

  public static GatewaySettings from(ServiceConfig config) {
    String address = config.env("CONSUL_HTTP_ADDR", "127.0.0.1:8500");
    boolean tls = Boolean.parseBoolean(config.env("CONSUL_HTTP_SSL", "false"));
    String hostPort = address;
    int scheme = address.indexOf("://");
    if (scheme >= 0) {
      String proto = address.substring(0, scheme).toLowerCase(Locale.ROOT);
      if (!proto.equals("http") && !proto.equals("https")) {
        throw new IllegalArgumentException(
            "CONSUL_HTTP_ADDR: only http:// and https:// are supported, got " + address);
      }
      tls = proto.equals("https");
      hostPort = address.substring(scheme + 3);
    }
    if (hostPort.endsWith("/")) {
      hostPort = hostPort.substring(0, hostPort.length() - 1);
    }
    String host = hostPort;
    int port = tls ? 8501 : 8500;
    int colon = hostPort.lastIndexOf(':');
    if (colon > 0 && !hostPort.endsWith("]")) {
      host = hostPort.substring(0, colon);
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("CONSUL_HTTP_ADDR: bad port in " + address);
      }
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("CONSUL_HTTP_ADDR: no host in " + address);
    }
    String token = config.env("CONSUL_HTTP_TOKEN", null);
    String tokenFile = config.env("CONSUL_HTTP_TOKEN_FILE", null);
    if (token == null && tokenFile != null) {
      try {
        token = Files.readString(Path.of(tokenFile)).trim();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "CONSUL_HTTP_TOKEN_FILE: cannot read " + tokenFile + ": " + e.getMessage());
      }
    }
    String caCert = config.env("CONSUL_CACERT", null);
    if (caCert != null && !Files.isReadable(Path.of(caCert))) {
      throw new IllegalArgumentException("CONSUL_CACERT: cannot read " + caCert);
    }
    Balancing balancing =
        switch (config.env("GATEWAY_BALANCER", "least-outstanding").toLowerCase(Locale.ROOT)) {
          case "least-outstanding", "least_outstanding", "least-request" ->
              Balancing.LEAST_OUTSTANDING;
          case "round-robin", "round_robin", "rr" -> Balancing.ROUND_ROBIN;
          default ->
              throw new IllegalArgumentException(
                  "GATEWAY_BALANCER must be least-outstanding or round-robin, got "
                      + config.env("GATEWAY_BALANCER", ""));
        };
    GatewaySettings settings =
        new GatewaySettings(
            host,
            port,
            tls,
            Boolean.parseBoolean(config.env("CONSUL_HTTP_SSL_VERIFY", "true")),
            token,
            caCert,
            config.env("CONSUL_TLS_SERVER_NAME", null),
            positive(config, "CONSUL_WATCH_WAIT_SECONDS", 30),
            positive(config, "GATEWAY_WATCH_IDLE_MS", 600_000),
            positive(config, "GATEWAY_TIMEOUT_MS", 10_000),
            positive(config, "GATEWAY_CONNECT_TIMEOUT_MS", 1_000),
            positive(config, "GATEWAY_MAX_CONNECTIONS_PER_INSTANCE", 256),
            balancing,
            positive(config, "GATEWAY_OUTLIER_FAILURES", 5),
            positive(config, "GATEWAY_OUTLIER_EJECT_MS", 10_000),
            config.maxBodyBytes(),
            namespaces(config),
            new ClientAddress(List.of(config.env("GATEWAY_TRUSTED_PROXIES", "").split(","))),
            config.envInt("ADMIN_PORT", DEFAULT_ADMIN_PORT),
            positive(config, "GATEWAY_REQUEST_READ_TIMEOUT_MS", 20_000),
            positive(config, "GATEWAY_IDLE_TIMEOUT_MS", 120_000));
    if (settings.adminPort() < 0 || settings.adminPort() > 65535) {
      throw new IllegalArgumentException("ADMIN_PORT out of range: " + settings.adminPort());
    }
    if (settings.watchWaitSeconds() > 600) {
      throw new IllegalArgumentException(
          "CONSUL_WATCH_WAIT_SECONDS is at most 600 (Consul's limit)");
    }
    return settings;
  }

  /**
   * GATEWAY_NAMESPACES (comma-separated; {@code *}: every namespace), else POD_NAMESPACE (the chart
   * sets it from the downward API): the namespaces whose HotelServices are published. No default: a
   * gateway that does not know whose services it publishes does not start.
   */
  private static Set<String> namespaces(ServiceConfig config) {
    String list = config.env("GATEWAY_NAMESPACES", config.env("POD_NAMESPACE", null));
    if (list == null) {
      throw new IllegalArgumentException(
          "GATEWAY_NAMESPACES (or POD_NAMESPACE) must name the namespaces whose HotelServices the"
              + " gateway publishes (* for all)");
    }
    Set<String> names = new TreeSet<>();
    for (String name : list.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim());
      }
    }
    if (names.contains("*")) {
      if (names.size() > 1) {
        throw new IllegalArgumentException("GATEWAY_NAMESPACES: * stands alone, got " + list);
      }
      return Set.of();
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("GATEWAY_NAMESPACES: no namespace in \"" + list + "\"");
    }
    return Set.copyOf(names);
  }

  private static int positive(ServiceConfig config, String key, int fallback) {
    int value = config.envInt(key, fallback);
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
    return value;
  }

  public String consulAddress() {
    return (consulTls ? "https://" : "http://") + consulHost + ":" + consulPort;
  }
}
