package dev.bellhop.bench.sync;

import dev.bellhop.operator.Main;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator in a JVM of its own, so its heap is its own: started as a deployment would start it.
 */
final class OperatorProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private OperatorProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static OperatorProcess start(MockApiServer k8s, String consulAddr, String clusterId)
      throws IOException {
    int port = SyncBenchmark.freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
            javaTool("java"),
            "-Xmx512m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName());
    builder.environment().put("KUBERNETES_MASTER", k8s.url());
    builder.environment().put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    builder.environment().put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    builder.environment().put("KUBERNETES_NAMESPACE", SyncBenchmark.NS);
    builder.environment().put("CONSUL_HTTP_ADDR", consulAddr);
    builder.environment().put("BELLHOP_CLUSTER_ID", clusterId);
    builder.environment().put("BELLHOP_HTTP_PORT", String.valueOf(port));
    builder.redirectErrorStream(true).redirectOutput(Path.of("target/bench-operator.log").toFile());
    return new OperatorProcess(builder.start(), port);
  }

  /** Sum of a Prometheus metric's samples; -1 while the endpoint does not answer. */
  double metric(String name) {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      return SyncBenchmark.metric(response.body(), name);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Heap in use after a full collection, in MB, as jcmd reports it. */
  double heapAfterFullGcMb() throws IOException, InterruptedException {
    run(javaTool("jcmd"), String.valueOf(process.pid()), "GC.run");
    String info = run(javaTool("jcmd"), String.valueOf(process.pid()), "GC.heap_info");
    Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("unexpected GC.heap_info: " + info);
    }
    return Long.parseLong(used.group(1)) / 1024.0;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private static String javaTool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
