package dev.bellhop.operator.consulcluster;

import com.ecwid.consul.ConsulException;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.v1.Request;
import dev.bellhop.operator.registration.ConsulTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The few raw Consul HTTP calls the ConsulCluster controller makes (status, ACL bootstrap, tokens,
 * autopilot), addressed to server pods by IP, through the operator's one Consul transport. With TLS
 * the certificate is verified against the cluster's own CA (from its TLS Secret) and must name a
 * server ({@code server.<datacenter>.consul}), or a node for the one call made to agents; not the
 * pod IP, which no certificate can name in advance.
 */
public final class ConsulHttp {
  /** A status call that takes longer is a server in trouble; the reconcile must not wait on it. */
  private static final int TIMEOUT_MS = 5_000;

  /** The controller makes one call at a time per cluster. */
  private static final int MAX_CONNECTIONS = 8;

  record Response(int status, String body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  private final ConsulTransport plain =
      new ConsulTransport(null, null, TIMEOUT_MS, MAX_CONNECTIONS);
  private final Map<String, ConsulTransport> byCa = new ConcurrentHashMap<>();
  private final Map<String, ConsulTransport> agentsByCa = new ConcurrentHashMap<>();

  /**
   * A call to a server.
   *
   * @param method GET, PUT or DELETE
   * @param token sent as {@code X-Consul-Token} (null: none)
   * @param caPem the CA an https URL's certificate must chain to (null: plain HTTP)
   */
  Response send(String method, String url, String token, String caPem, String body)
      throws IOException {
    return send(method, url, token, caPem, body, byCa, ConsulTransport.SERVERS);
  }

  /** A call to a node that may be an agent, whose certificate names a client, not a server. */
  Response sendToNode(String method, String url, String token, String caPem, String body)
      throws IOException {
    return send(method, url, token, caPem, body, agentsByCa, ConsulTransport.NODES);
  }

  private Response send(
      String method,
      String url,
      String token,
      String caPem,
      String body,
      Map<String, ConsulTransport> transports,
      Pattern peers)
      throws IOException {
    URI uri = URI.create(url);
    ConsulTransport transport =
        caPem == null || !"https".equals(uri.getScheme())
            ? plain
            : transports.computeIfAbsent(
                caPem,
                ca ->
                    new ConsulTransport(
                        ConsulTransport.trusting(ca), peers, null, TIMEOUT_MS, MAX_CONNECTIONS));
    var raw = transport.client(uri.getScheme() + "://" + uri.getAuthority());
    Request request =
        Request.Builder.newBuilder()
            .setEndpoint(
                uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
            .setToken(token)
            // consul-api's PUT sends the binary content only, and fails on none
            .setBinaryContent(body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse r =
          switch (method) {
            case "GET" -> raw.makeGetRequest(request);
            case "PUT" -> raw.makePutRequest(request);
            case "DELETE" -> raw.makeDeleteRequest(request);
            default -> throw new IllegalArgumentException("unsupported method " + method);
          };
      return new Response(r.getStatusCode(), r.getContent() == null ? "" : r.getContent());
    } catch (ConsulException e) { // consul-api wraps every transport failure
      throw new IOException(method + " " + url + ": " + e.getMessage(), e);
    }
  }
}
