package dev.bellhop.operator.testing;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;

/** fabric8's mock API server in CRUD mode, with Bellhop's CRDs applied: a Kubernetes cluster for tests. */
public final class MockCluster implements AutoCloseable {
  /** The mock logs every request at INFO through java.util.logging; held here so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final Kube kube;

  public MockCluster() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init();
    client = server.createClient();
    kube = new Kube(client);
    kube.applyCrds();
  }

  public NamespacedKubernetesClient client() {
    return client;
  }

  public Kube kube() {
    return kube;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
