package dev.bellhop.testkit.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The fixture's HTTP calls to its Consul nodes, with the fixture's ACL token, and their JSON read
 * by Jackson.
 *
 * <p>One HTTP client for every cluster of the JVM, and the JDK's: the testkit runs inside the test
 * JVMs of the operator (consul-api), the gateway (Vert.x's client) and the benchmarks, so it brings
 * no client of its own to their classpath and never shares the client under test. A fixture that
 * called Consul through the operator's own client could not see that client's bugs.
 */
final class ConsulRequests {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String aclToken;

  /** {@code aclToken}: sent as {@code X-Consul-Token} with every call; null for none. */
  ConsulRequests(String aclToken) {
    this.aclToken = aclToken;
  }

  /**
   * The body of a 2xx answer; an {@link IOException} for any other status or a transport failure.
   */
  String send(String method, String url, String body) throws IOException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
    if (aclToken != null) {
      rb.header("X-Consul-Token", aclToken);
    }
    rb.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> r;
    try {
      r = HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + url, e);
    }
    if (r.statusCode() / 100 != 2) {
      throw new IOException(
          method + " " + url + " -> HTTP " + r.statusCode() + ": " + r.body().trim());
    }
    return r.body();
  }

  /** GET {@code path} from {@code node}, read as JSON. */
  JsonNode getJson(TestConsulNode node, String path) throws IOException {
    return JSON.readTree(send("GET", node.httpUrl() + path, null));
  }

  /**
   * The raft address ({@code host:8300}) of the leader {@code node} knows; "" when it knows none.
   */
  String leaderOf(TestConsulNode node) throws IOException {
    JsonNode leader = getJson(node, "/v1/status/leader");
    return leader.isNull() ? "" : leader.asText();
  }
}
