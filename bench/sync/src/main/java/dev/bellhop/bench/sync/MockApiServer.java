package dev.bellhop.bench.sync;

import dev.bellhop.operator.testing.MockCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The mock API server in a process of its own, at the lowest CPU priority: it stands in for an API
 * server on other machines, but with 10,000 pods stored every request makes it scan them all (1 to
 * 2 CPU-seconds during a cold sync). Niced to 19 it runs in the time Consul and the operator under
 * test leave idle.
 */
final class MockApiServer implements AutoCloseable {
  private final Process process;
  private final KubernetesClient client;

  private MockApiServer(Process process, String url) {
    this.process = process;
    Config config = new ConfigBuilder().withMasterUrl(url).withAutoConfigure(false).build();
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  static MockApiServer start() throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                "nice",
                "-n",
                "19",
                java,
                "-Xmx6g",
                "-cp",
                System.getProperty("java.class.path"),
                MockApiServer.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String url = out.readLine();
    if (url == null || !url.startsWith("http")) {
      process.destroyForcibly();
      throw new IllegalStateException("mock API server did not start: " + url);
    }
    return new MockApiServer(process, url);
  }

  /** CPU seconds the server's process has used. */
  double cpuSeconds() {
    return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
  }

  KubernetesClient client() {
    return client;
  }

  String url() {
    return client.getMasterUrl().toString();
  }

  /** Runs the server until its parent closes stdin. */
  public static void main(String[] args) throws IOException {
    try (var cluster = new MockCluster()) {
      System.out.println(cluster.client().getMasterUrl());
      System.out.flush();
      while (System.in.read() >= 0) {
        // the parent holds stdin open while it needs the server
      }
    }
    System.exit(0);
  }

  @Override
  public void close() throws InterruptedException, IOException {
    client.close();
    process.getOutputStream().close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
