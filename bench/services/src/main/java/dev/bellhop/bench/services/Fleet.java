package dev.bellhop.bench.services;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The five services as {@code java -jar} processes on loopback, static upstream addresses. */
final class Fleet implements AutoCloseable {
  static final String KEY = "benchmark-jwt-key-0123456789abcdef";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  record Service(String name, int port, Process process, Path log) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: graceful
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private final List<Service> services = new ArrayList<>();
  private final Map<String, Integer> ports = new HashMap<>();

  static Fleet start() throws Exception {
    Fleet fleet = new Fleet();
    for (String name : List.of("auth", "geo", "profile", "rate")) {
      fleet.launch(name, Map.of());
    }
    fleet.launch(
        "hotel",
        Map.of(
            "AUTH_ADDR", "static:127.0.0.1:" + fleet.ports.get("auth"),
            "GEO_ADDR", "static:127.0.0.1:" + fleet.ports.get("geo"),
            "PROFILE_ADDR", "static:127.0.0.1:" + fleet.ports.get("profile"),
            "RATE_ADDR", "static:127.0.0.1:" + fleet.ports.get("rate")));
    for (Service s : fleet.services) {
      awaitReady(s);
    }
    return fleet;
  }

  Service startExtra(String name, Map<String, String> env) throws Exception {
    Service s = launch(name, env);
    services.remove(s);
    awaitReady(s);
    return s;
  }

  private Service launch(String name, Map<String, String> env) throws IOException {
    Path jar =
        Path.of(
            System.getProperty("bellhop.services.dir", "../../services"),
            name,
            "target",
            name + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "missing " + jar + ": run make bench-services (it builds the jars)");
    }
    int port = freePort();
    Path log = Files.createTempFile("bench-" + name + "-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-jar",
                jar.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder
        .environment()
        .putAll(
            Map.of("BIND_ADDR", "127.0.0.1", "PORT", Integer.toString(port), "AUTH_JWT_KEY", KEY));
    builder.environment().putAll(env);
    Service s = new Service(name, port, builder.start(), log);
    services.add(s);
    ports.put(name, port);
    return s;
  }

  private static void awaitReady(Service s) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!s.process().isAlive()) {
        throw new IllegalStateException(s.name() + " exited: " + Files.readString(s.log()));
      }
      try {
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100); // polling a process we do not control; nothing to wait on instead
    }
    throw new IllegalStateException(s.name() + " not ready after 120 s");
  }

  String url(String name, String method) {
    return "http://127.0.0.1:" + ports.get(name) + "/" + method;
  }

  String login() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url("auth", "Auth.Login")))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"demo\",\"password\":\"bellhop-demo\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).getString("token");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    for (Service s : services) {
      s.close();
      Files.deleteIfExists(s.log());
    }
  }
}
