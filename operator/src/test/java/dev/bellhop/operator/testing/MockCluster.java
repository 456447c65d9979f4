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
