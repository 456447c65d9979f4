package dev.bellhop.bench.gateway;

import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make bench-gateway}: one Bellhop backend (its own JVM), reached three ways on loopback:
 * directly, through the gateway (its runnable jar, discovering the backend in a real Consul), and
 * through nginx (Debian's, unprivileged, own prefix under target/) proxying the same backend with
 * upstream keep-alive.
 *
 * <ol>
 *   <li>Peak throughput: {@code wrk} (2 threads, 64 connections) per path, after a warm-up (5 s; 15
 *       s for the gateway, whose JIT needs it), two interleaved rounds of 10 s, best round per
 *       path; {@code gateway_vs_nginx_rps} = gateway / nginx (goal ≥ 0.7).
 *   <li>Added latency: an open-loop fixed-rate load at 50% of the gateway's peak (after a 3 s
 *       warm-up per path at that rate), 20 slices of 1 s per path taken in turn (direct, nginx,
 *       gateway, direct, ...), latency from the scheduled send time; a path's p99 is the median of
 *       its slices' p99s (the pooled p99 over all slices is reported as {@code *_p99_pooled_ms});
 *       {@code gateway_p99_added_ms} = p99(gateway) − p99(direct) (goal ≤ 1 ms), same for nginx.
 * </ol>
 *
 * Everything shares the machine (2 cores here), so only same-run ratios and differences mean much.
 */
public final class GatewayBenchmark {
  private static final String BODY =
      "{\"hotelIds\":[\"1\",\"2\",\"3\"],\"inDate\":\"2015-04-09\",\"outDate\":\"2015-04-10\"}";
  private static final Duration WRK_DURATION = Duration.ofSeconds(envInt("BENCH_WRK_SECONDS", 10));
  private static final Duration WRK_WARMUP = Duration.ofSeconds(envInt("BENCH_WARMUP_SECONDS", 5));
  private static final int RATE_SLICES = envInt("BENCH_RATE_SLICES", 20);
  private static final Duration RATE_SLICE = Duration.ofMillis(envInt("BENCH_RATE_SLICE_MS", 1000));
  private static final int CONNECTIONS = envInt("BENCH_CONNECTIONS", 64);
  private static final int ROUNDS = envInt("BENCH_ROUNDS", 2);

  private final Map<String, Object> results = new LinkedHashMap<>();
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, Process> byName = new LinkedHashMap<>();
  private final Path work = Path.of("target/bench-gateway").toAbsolutePath();

  public static void main(String[] args) throws Exception {
    GatewayBenchmark bench = new GatewayBenchmark();
    Runtime.getRuntime().addShutdownHook(new Thread(bench::stopProcesses));
    try {
      bench.run();
    } finally {
      bench.stopProcesses();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    Files.createDirectories(work);
    String gatewayJar = System.getProperty("bellhop.gateway.jar");
    if (gatewayJar == null || !Files.isRegularFile(Path.of(gatewayJar))) {
      throw new IllegalStateException(
          "gateway jar not found (" + gatewayJar + "): build services/gateway first");
    }
    requireCommand("wrk");
    requireCommand("nginx");
    Path lua = work.resolve("post.lua");
    Files.writeString(
        lua,
        "wrk.method = \"POST\"\nwrk.body = '"
            + BODY
            + "'\n"
            + "wrk.headers[\"Content-Type\"] = \"application/json\"\n");

    try (TestConsulCluster consul =
        TestConsulCluster.builder().servers(1).dataRoot(work.resolve("consul")).start()) {
      int backendPort = freePort();
      int gatewayPort = freePort();
      int nginxPort = freePort();

      progress("starting backend on " + backendPort);
      start(
          "backend",
          List.of(
              java(),
              "-Xmx256m",
              "-cp",
              System.getProperty("java.class.path"),
              EchoBackend.class.getName()),
          Map.of("PORT", Integer.toString(backendPort), "BIND_ADDR", "127.0.0.1"));
      awaitStatus(backendPort, "/Echo.Echo", 200, Duration.ofSeconds(30));

      consul.httpPut(
          "/v1/catalog/register",
          new JsonObject()
              .put("Node", "bench-node-bellhop")
              .put("Address", "127.0.0.1")
              .put(
                  "Service",
                  new JsonObject()
                      .put("ID", "echo-1")
                      .put("Service", "echo")
                      .put("Address", "127.0.0.1")
                      .put("Port", backendPort)
                      // As Bellhop registers a HotelService's pod: the gateway publishes no other.
                      .put(
                          "Meta",
                          new JsonObject()
                              .put("managed-by", "bellhop")
                              .put("gateway-expose", "true")
                              .put("k8s-namespace", "bench")))
              .put(
                  "Check",
                  new JsonObject()
                      .put("CheckID", "bellhop:echo-1")
                      .put("Name", "pod ready")
                      .put("Status", "passing")
                      .put("ServiceID", "echo-1"))
              .encode());

      progress("starting gateway on " + gatewayPort);
      List<String> gatewayCommand = new ArrayList<>(List.of(java(), "-Xms256m", "-Xmx512m"));
      // The JVM options the chart ships for the gateway (its collector and young generation).
      gatewayCommand.addAll(List.of(chartJavaOptions().split("\\s+")));
      // Extra JVM options for the gateway only, e.g. a flight recording to profile it under load.
      String extra = System.getenv("BENCH_GATEWAY_JAVA_OPTS");
      if (extra != null && !extra.isBlank()) {
        gatewayCommand.addAll(List.of(extra.trim().split("\\s+")));
      }
      gatewayCommand.addAll(List.of("-jar", gatewayJar));
      start(
          "gateway",
          gatewayCommand,
          Map.of(
              "PORT",
              Integer.toString(gatewayPort),
              "BIND_ADDR",
              "127.0.0.1",
              "CONSUL_HTTP_ADDR",
              consul.httpAddress(),
              "GATEWAY_NAMESPACES",
              "bench",
              "ADMIN_PORT",
              Integer.toString(freePort())));
      awaitStatus(gatewayPort, "/echo/echo", 200, Duration.ofSeconds(30));

      progress("starting nginx on " + nginxPort);
      startNginx(nginxPort, backendPort);
      awaitStatus(nginxPort, "/echo/echo", 200, Duration.ofSeconds(10));

      String direct = "http://127.0.0.1:" + backendPort + "/Echo.Echo";
      String viaNginx = "http://127.0.0.1:" + nginxPort + "/echo/echo";
      String viaGateway = "http://127.0.0.1:" + gatewayPort + "/echo/echo";

      // 1. Peak throughput with wrk: warm up (the gateway JVM longest: its JIT), then ROUNDS
      //    interleaved rounds; each path's best round counts (the machine is shared and noisy).
      wrk(direct, WRK_WARMUP, lua);
      wrk(viaNginx, WRK_WARMUP, lua);
      wrk(viaGateway, WRK_WARMUP.multipliedBy(3), lua);
      Map<String, Wrk> peak = new LinkedHashMap<>();
      Map<String, long[]> cpu = new LinkedHashMap<>(); // proxy CPU ns, requests
      Map<String, String> proxyProcess =
          Map.of("direct", "backend", "nginx", "nginx", "gateway", "gateway");
      for (int round = 0; round < ROUNDS; round++) {
        for (Map.Entry<String, String> target :
            Map.of("direct", direct, "nginx", viaNginx, "gateway", viaGateway).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .toList()) {
          long cpuBefore = cpuNanos(proxyProcess.get(target.getKey()));
          Wrk w = wrk(target.getValue(), WRK_DURATION, lua);
          long[] total = cpu.computeIfAbsent(target.getKey(), k -> new long[2]);
          total[0] += cpuNanos(proxyProcess.get(target.getKey())) - cpuBefore;
          total[1] += w.requests;
          peak.merge(
              target.getKey(),
              w,
              (a, b) ->
                  a.rps >= b.rps
                      ? new Wrk(a.rps, a.errors + b.errors, a.p99, a.requests)
                      : new Wrk(b.rps, a.errors + b.errors, b.p99, b.requests));
        }
      }
      report("direct_rps", peak.get("direct").rps, "req/s");
      report("nginx_rps", peak.get("nginx").rps, "req/s");
      report("gateway_rps", peak.get("gateway").rps, "req/s");
      report("gateway_vs_nginx_rps", peak.get("gateway").rps / peak.get("nginx").rps, "ratio");
      report("wrk_errors", peak.values().stream().mapToLong(Wrk::errors).sum(), "requests");
      // CPU per request of the process in the middle (the backend itself for "direct"): a figure
      // the shared machine's noise moves much less than throughput.
      for (String name : List.of("direct", "nginx", "gateway")) {
        long[] total = cpu.get(name);
        report(
            (name.equals("direct") ? "backend" : name) + "_cpu_us_per_request",
            total[0] / 1000.0 / total[1],
            "us");
      }
      report(
          "nginx_vs_gateway_cpu_per_request",
          (double) cpu.get("nginx")[0]
              / cpu.get("nginx")[1]
              / ((double) cpu.get("gateway")[0] / cpu.get("gateway")[1]),
          "ratio");

      // 2. Latency added at a fixed rate, half the gateway's peak: open loop, latency from the
      //    scheduled send time.
      double rate = Math.floor(peak.get("gateway").rps * 0.5);
      report("fixed_rate", rate, "req/s");
      Vertx vertx = Vertx.vertx();
      try {
        Buffer body = Buffer.buffer(BODY);
        Map<String, Integer> ports =
            Map.of("direct", backendPort, "nginx", nginxPort, "gateway", gatewayPort);
        // First a warm-up run on each path; its samples are dropped.
        for (String name : List.of("direct", "nginx", "gateway")) {
          FixedRateLoad.samples(
              vertx,
              ports.get(name),
              name.equals("direct") ? "/Echo.Echo" : "/echo/echo",
              body,
              rate,
              Duration.ofSeconds(3),
              CONNECTIONS);
        }
        // Many short slices, the three paths in turn, so that the shared machine's noise falls on
        // all three alike; each path's percentiles are taken over all its slices together.
        Map<String, List<FixedRateLoad.Samples>> slices = new LinkedHashMap<>();
        for (int slice = 0; slice < RATE_SLICES; slice++) {
          for (String name : List.of("direct", "nginx", "gateway")) {
            String path = name.equals("direct") ? "/Echo.Echo" : "/echo/echo";
            slices
                .computeIfAbsent(name, k -> new ArrayList<>())
                .add(
                    FixedRateLoad.samples(
                        vertx, ports.get(name), path, body, rate, RATE_SLICE, CONNECTIONS));
          }
        }
        Map<String, FixedRateLoad.Result> latency = new LinkedHashMap<>();
        Map<String, Double> typicalP99 = new LinkedHashMap<>();
        for (String name : List.of("direct", "nginx", "gateway")) {
          FixedRateLoad.Result r = FixedRateLoad.summarize(slices.get(name));
          // The median over slices of each slice's p99: one stall of the shared machine (another
          // build's GC, ...) inside one slice moves the pooled p99 by hundreds of ms, this one not.
          double[] perSlice =
              slices.get(name).stream()
                  .mapToDouble(one -> FixedRateLoad.summarize(List.of(one)).p99Ms())
                  .sorted()
                  .toArray();
          double median = perSlice[perSlice.length / 2];
          typicalP99.put(name, median);
          progress(
              String.format(
                  "%s at %.0f req/s (%d × %d ms): p50 %.3f ms, p90 %.3f, p99 %.3f (median of slices %.3f),"
                      + " p99.9 %.3f, max %.3f, errors %d",
                  name,
                  rate,
                  RATE_SLICES,
                  RATE_SLICE.toMillis(),
                  r.p50Ms(),
                  r.p90Ms(),
                  r.p99Ms(),
                  median,
                  r.p999Ms(),
                  r.maxMs(),
                  r.errors()));
          latency.put(name, r);
        }
        for (String name : List.of("direct", "nginx", "gateway")) {
          FixedRateLoad.Result r = latency.get(name);
          report(name + "_p50_ms", r.p50Ms(), "ms");
          report(name + "_p99_ms", typicalP99.get(name), "ms");
          report(name + "_p99_pooled_ms", r.p99Ms(), "ms");
          report(name + "_fixed_rate_errors", r.errors(), "requests");
        }
        report("gateway_p99_added_ms", typicalP99.get("gateway") - typicalP99.get("direct"), "ms");
        report("nginx_p99_added_ms", typicalP99.get("nginx") - typicalP99.get("direct"), "ms");
        report(
            "gateway_p99_pooled_added_ms",
            latency.get("gateway").p99Ms() - latency.get("direct").p99Ms(),
            "ms");
        report(
            "nginx_p99_pooled_added_ms",
            latency.get("nginx").p99Ms() - latency.get("direct").p99Ms(),
            "ms");
        report(
            "gateway_p50_added_ms",
            latency.get("gateway").p50Ms() - latency.get("direct").p50Ms(),
            "ms");
        report(
            "nginx_p50_added_ms",
            latency.get("nginx").p50Ms() - latency.get("direct").p50Ms(),
            "ms");
      } finally {
        FixedRateLoad.closeClients();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    Path dir = Path.of("target/bench");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("gateway.json"), new JsonObject(results).encodePrettily());
  }

  private record Wrk(double rps, long errors, String p99, long requests) {}

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
  private static final Pattern P99 = Pattern.compile("\\s99%\\s+(\\S+)");

  private Wrk wrk(String url, Duration duration, Path lua) throws Exception {
    Process p =
        new ProcessBuilder(
                "wrk",
                "-t2",
                "-c" + CONNECTIONS,
                "-d" + duration.toSeconds() + "s",
                "--latency",
                "-s",
                lua.toString(),
                url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("wrk failed on " + url + ":\n" + out);
    }
    Matcher rps = RPS.matcher(out);
    if (!rps.find()) {
      throw new IllegalStateException("no Requests/sec in wrk output:\n" + out);
    }
    long errors = 0;
    Matcher non2xx = NON_2XX.matcher(out);
    if (non2xx.find()) {
      errors += Long.parseLong(non2xx.group(1));
    }
    Matcher socket = SOCKET_ERRORS.matcher(out);
    if (socket.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(socket.group(i));
      }
    }
    Matcher p99 = P99.matcher(out);
    Matcher count = REQUESTS.matcher(out);
    Wrk result =
        new Wrk(
            Double.parseDouble(rps.group(1)),
            errors,
            p99.find() ? p99.group(1) : "?",
            count.find() ? Long.parseLong(count.group(1)) : 0);
    progress(
        String.format(
            "wrk %ds %s: %.0f req/s, p99 %s, errors %d",
            duration.toSeconds(), url, result.rps, result.p99, result.errors));
    return result;
  }

  private void startNginx(int port, int backendPort) throws Exception {
    Path prefix = work.resolve("nginx");
    Files.createDirectories(prefix.resolve("logs"));
    int workers = Runtime.getRuntime().availableProcessors();
    Files.writeString(
        prefix.resolve("nginx.conf"),
        String.join(
            "\n",
            "worker_processes " + workers + ";",
            "daemon off;",
            "pid " + prefix.resolve("nginx.pid") + ";",
            "error_log " + prefix.resolve("logs/error.log") + " warn;",
            "events { worker_connections 4096; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path " + prefix.resolve("client_body") + ";",
            "  proxy_temp_path " + prefix.resolve("proxy") + ";",
            "  fastcgi_temp_path " + prefix.resolve("fastcgi") + ";",
            "  uwsgi_temp_path " + prefix.resolve("uwsgi") + ";",
            "  scgi_temp_path " + prefix.resolve("scgi") + ";",
            "  upstream backend { server 127.0.0.1:" + backendPort + "; keepalive 128; }",
            "  server {",
            "    listen 127.0.0.1:" + port + ";",
            "    location = /echo/echo {",
            "      proxy_pass http://backend/Echo.Echo;",
            "      proxy_http_version 1.1;",
            "      proxy_set_header Connection \"\";",
            "    }",
            "  }",
            "}",
            ""));
    start(
        "nginx",
        List.of(
            "nginx",
            "-p",
            prefix + "/",
            "-c",
            prefix.resolve("nginx.conf").toString(),
            "-e",
            prefix.resolve("logs/error.log").toString()),
        Map.of());
  }

  private void start(String name, List<String> command, Map<String, String> env)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve(name + ".log").toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    byName.put(name, process);
  }

  /** CPU time (user + system, all threads) of a process and its children, in nanoseconds. */
  private long cpuNanos(String name) {
    Process process = byName.get(name);
    if (process == null) {
      return 0;
    }
    long ticks = ticks(process.pid());
    for (ProcessHandle child : process.toHandle().children().toList()) {
      ticks += ticks(child.pid());
    }
    return ticks * 1_000_000_000L / CLOCK_TICKS;
  }

  private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private synchronized void stopProcesses() {
    for (Process p : processes) {
      p.destroy(); // SIGTERM: the JVMs stop gracefully, nginx exits fast
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  private static void awaitStatus(int port, String path, int status, Duration timeout)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == status) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "127.0.0.1:" + port + path + " did not answer " + status + " in time: " + last);
  }

  private void report(String name, double value, String unit) {
    String shown =
        value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.3f", value);
    System.out.println("BENCH " + name + "=" + shown + " unit=" + unit);
    results.put(name, Map.of("value", value, "unit", unit));
  }

  private static void requireCommand(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "command -v " + command).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(
          command + " not found: run `bash scripts/apt-ensure.sh wrk:wrk nginx:nginx`");
    }
  }

  /** {@code gateway.javaOptions} of the chart's values.yaml, which production runs with. */
  private static String chartJavaOptions() throws IOException {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("helm/bellhop/values.yaml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "helm/bellhop/values.yaml not found above " + Path.of("").toAbsolutePath());
    }
    return new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(dir.resolve("helm/bellhop/values.yaml").toFile())
        .path("gateway")
        .path("javaOptions")
        .asText()
        .trim();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static int envInt(String key, int fallback) {
    String value = System.getenv(key);
    return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
  }

  private static void progress(String message) {
    System.err.println("[bench-gateway] " + message);
  }
}
