package dev.bellhop.services.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

/**
 * The few lines of Consul's HTTP API the gateway needs, on Vert.x's non-blocking client: GETs with
 * the ACL token in {@code X-Consul-Token}, over https with {@code CONSUL_CACERT} when asked.
 */
final class ConsulClient {
  /** One answer: the HTTP status, {@code X-Consul-Index} (0 when absent) and the body. */
  record Response(int status, long index, Buffer body) {}

  private final HttpClient http;
  private final GatewaySettings settings;

  ConsulClient(Vertx vertx, GatewaySettings settings) {
    this.settings = settings;
    HttpClientOptions options =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(
                (int) Math.min(Integer.MAX_VALUE, Math.max(1000, settings.connectTimeoutMillis())))
            .setDefaultHost(settings.consulHost())
            .setDefaultPort(settings.consulPort())
            .setSsl(settings.consulTls())
            .setName("consul");
    if (settings.consulTls()) {
      if (!settings.consulTlsVerify()) {
        options.setTrustAll(true).setVerifyHost(false);
      } else if (settings.consulCaCert() != null) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(settings.consulCaCert()));
      }
    }
    // Each blocking query holds a connection for up to the wait time: one per watch.
    this.http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(1024));
  }

  /** A GET of {@code uri} (path and query); {@code idleMillis} bounds the wait for the answer. */
  Future<Response> get(String uri, long idleMillis) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(settings.consulHost())
            .setPort(settings.consulPort())
            .setSsl(settings.consulTls())
            .setURI(uri)
            .setIdleTimeout(idleMillis)
            .putHeader("accept", "application/json");
    if (settings.consulTls() && settings.consulTlsServerName() != null) {
      // Connect to the address, verify (and send as SNI) the server name: servers are reached by
      // addresses their certificates cannot name, and server.<dc>.consul is what only servers
      // carry.
      request
          .setServer(SocketAddress.inetSocketAddress(settings.consulPort(), settings.consulHost()))
          .setHost(settings.consulTlsServerName());
    }
    if (settings.consulToken() != null) {
      request.putHeader("X-Consul-Token", settings.consulToken());
    }
    // body() is attached inside the request's callback, on its event loop, in the same turn as
    // send(): chained after it from a caller's thread, the response could end before body() had a
    // handler, and Vert.x drops an end nobody listens to (the call then hangs; see RpcClient).
    return http.request(request)
        .compose(
            r ->
                r.send()
                    .compose(
                        response ->
                            response
                                .body()
                                .map(
                                    body -> {
                                      String index = response.getHeader("X-Consul-Index");
                                      long parsed = 0;
                                      if (index != null) {
                                        try {
                                          parsed = Long.parseLong(index.trim());
                                        } catch (NumberFormatException ignored) {
                                          parsed = 0;
                                        }
                                      }
                                      return new Response(response.statusCode(), parsed, body);
                                    })));
  }

  Future<Void> close() {
    return http.close();
  }
}
