package dev.bellhop.operator.registration;

import com.ecwid.consul.v1.ConsulRawClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.client.HttpClient;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.message.BasicHeader;

/**
 * The operator's one way to talk HTTP to Consul: consul-api's raw client on a pooled Apache
 * HttpClient. The registration engine ({@link ConsulCatalog}) and the ConsulCluster controller
 * ({@code consulcluster.ConsulHttp}) both send through it, so one transport carries the timeouts,
 * the pool and the TLS rule below; consul-api is the library the engine was measured with.
 */
public final class ConsulTransport implements AutoCloseable {
  /** A Consul server's certificate: what every call but one to an agent expects. */
  public static final Pattern SERVERS = Pattern.compile("server\\.[^.*]+\\.consul");

  /** A server's or an agent's ({@code client.<datacenter>.consul}). */
  public static final Pattern NODES = Pattern.compile("(server|client)\\.[^.*]+\\.consul");

  private final PoolingHttpClientConnectionManager pool;
  private final HttpClient http;

  /**
   * @param tls trust for https addresses (null: the JDK's default)
   * @param token sent on every request (null or blank: none; requests may still carry their own)
   */
  public ConsulTransport(SSLContext tls, String token, int socketTimeoutMs, int maxConnections) {
    this(tls, SERVERS, token, socketTimeoutMs, maxConnections);
  }

  /**
   * @param peers the Consul nodes an https peer may be ({@link #SERVERS}, or {@link #NODES} for
   *     calls to an agent)
   */
  public ConsulTransport(
      SSLContext tls, Pattern peers, String token, int socketTimeoutMs, int maxConnections) {
    var registry =
        RegistryBuilder.<ConnectionSocketFactory>create()
            .register("http", PlainConnectionSocketFactory.getSocketFactory());
    if (tls != null) {
      // Consul nodes are addressed by pod IP, which their certificates cannot name: the chain is
      // verified against the cluster's CA, and the certificate must name the role.
      registry.register(
          "https", new SSLConnectionSocketFactory(tls, (host, session) -> names(session, peers)));
    } else {
      registry.register("https", SSLConnectionSocketFactory.getSocketFactory());
    }
    pool = new PoolingHttpClientConnectionManager(registry.build());
    pool.setMaxTotal(maxConnections);
    pool.setDefaultMaxPerRoute(maxConnections);
    RequestConfig timeouts =
        RequestConfig.custom()
            .setConnectTimeout(2_000)
            .setConnectionRequestTimeout(2_000)
            .setSocketTimeout(socketTimeoutMs)
            .build();
    HttpClientBuilder builder =
        HttpClientBuilder.create()
            .setConnectionManager(pool)
            .setDefaultRequestConfig(timeouts)
            .disableAutomaticRetries();
    if (token != null && !token.isBlank()) {
      builder.setDefaultHeaders(List.of(new BasicHeader("X-Consul-Token", token)));
    }
    http = builder.build();
  }

  /** A raw client for one Consul address (host:port or a URL; without a port, 8500 or 443). */
  public ConsulRawClient client(String address) {
    URI uri = URI.create(address.contains("://") ? address : "http://" + address);
    int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 8500);
    return new ConsulRawClient(http, uri.getScheme() + "://" + uri.getHost(), port, "");
  }

  /**
   * The Apache client itself, for what consul-api cannot carry: a binary body streamed either way
   * (a snapshot; consul-api's raw client reads every answer into a String).
   */
  public HttpClient http() {
    return http;
  }

  /** Fails every request in flight, parked blocking queries included. */
  @Override
  public void close() {
    pool.shutdown();
  }

  /**
   * Whether the peer's certificate has a DNS name that {@code peers} matches. Consul's own {@code
   * verify_server_hostname} requires {@code server.<datacenter>.consul} of servers; an agent's
   * certificate from Bellhop's CA names {@code client.<datacenter>.consul}, so it cannot pose as a
   * server (issue #16).
   */
  static boolean names(SSLSession session, Pattern peers) {
    try {
      if (!(session.getPeerCertificates()[0] instanceof X509Certificate cert)
          || cert.getSubjectAlternativeNames() == null) {
        return false;
      }
      return cert.getSubjectAlternativeNames().stream()
          .anyMatch(
              san ->
                  Integer.valueOf(2).equals(san.get(0)) // dNSName
                      && peers.matcher(String.valueOf(san.get(1))).matches());
    } catch (GeneralSecurityException | javax.net.ssl.SSLPeerUnverifiedException e) {
      return false;
    }
  }

  /**
   * TLS that trusts exactly the given CA (PEM). Host names are left to the transport, which checks
   * the certificate names a server instead (above).
   */
  public static SSLContext trusting(String caPem) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "the CA (ca.crt) is not a PEM certificate: " + e.getMessage(), e);
    }
  }
}
