package dev.bellhop.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bellhop.operator.threads.DaemonThreads;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * /metrics (Prometheus text), /healthz (event sources healthy) and /readyz (started). The JDK's
 * server is enough.
 */
final class OperatorHttpServer {
  private final HttpServer server;

  OperatorHttpServer(String address, int port, Operator operator, PrometheusMeterRegistry meters) {
    try {
      server = HttpServer.create(new InetSocketAddress(address, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ":" + port, e);
    }
    server.setExecutor(Executors.newFixedThreadPool(2, DaemonThreads.named("operator-http")));
    server.createContext(
        "/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4", meters.scrape()));
    server.createContext(
        "/healthz",
        ex -> {
          boolean healthy = operator.getRuntimeInfo().allEventSourcesAreHealthy();
          respond(
              ex,
              healthy ? 200 : 503,
              "text/plain",
              healthy
                  ? "ok\n"
                  : "unhealthy event sources: "
                      + operator.getRuntimeInfo().unhealthyEventSources().keySet()
                      + "\n");
        });
    server.createContext(
        "/readyz",
        ex -> {
          boolean started = operator.getRuntimeInfo().isStarted();
          respond(ex, started ? 200 : 503, "text/plain", started ? "ok\n" : "starting\n");
        });
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  void stop() {
    server.stop(0);
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
