package dev.bellhop.localcluster;

import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local cluster's API server: fabric8's mock in CRUD mode ({@link MockApiServer}) on a fixed
 * address, plain HTTP, with a kubeconfig and discovery documents. It checks no schema and runs no
 * controllers (the local cluster brings its own).
 */
public final class ApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final String url;
  private final Discovery discovery;

  private ApiServer(KubernetesMockServer server, String url, Discovery discovery) {
    this.server = server;
    this.url = url;
    this.discovery = discovery;
    Config config = new ConfigBuilder().withMasterUrl(url).withNamespace("default").withRequestRetryBackoffLimit(3)
        .build();
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  static ApiServer start(String host, int port, Path kubeconfig) {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    KubernetesMockServer server = MockApiServer.crud(expectations);
    try {
      server.init(InetAddress.getByName(host), port);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("the local API server cannot listen on " + host + ":" + port
          + " (is another local cluster running?)", e);
    }
    Discovery discovery = new Discovery(expectations);
    String url = "http://" + host + ":" + server.getPort();
    writeKubeconfig(kubeconfig, url);
    return new ApiServer(server, url, discovery);
  }

  private static void writeKubeconfig(Path file, String url) {
    String yaml = """
        # The Bellhop local cluster (make demo): an embedded API server, simulated nodes.
        apiVersion: v1
        kind: Config
        clusters:
          - name: bellhop-local
            cluster:
              server: %s
        users:
          - name: bellhop-local
            user:
              token: local
        contexts:
          - name: bellhop-local
            context:
              cluster: bellhop-local
              user: bellhop-local
              namespace: bellhop
        current-context: bellhop-local
        """.formatted(url);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** Serves a CRD's kinds in discovery (for kubectl). */
  void established(io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition crd) {
    discovery.add(crd);
  }

  public String url() {
    return url;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
