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
 * The mock API server in a process of its own, at a lower CPU priority: with 10,000 pods stored,
 * every request makes the mock scan them all, which a real API server (on other machines) does
 * not; niced, that work no longer takes the CPU from Consul and the operator under test.
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
    Process process = new ProcessBuilder("nice", "-n", "10", java, "-Xmx6g", "-cp",
        System.getProperty("java.class.path"), MockApiServer.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String url = out.readLine();
    if (url == null || !url.startsWith("http")) {
      process.destroyForcibly();
      throw new IllegalStateException("mock API server did not start: " + url);
    }
    return new MockApiServer(process, url);
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
