package dev.bellhop.operator.testing;

import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode, with Bellhop's CRDs applied: a Kubernetes cluster for
 * tests.
 */
public final class MockCluster implements AutoCloseable {
  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final Kube kube;

  public MockCluster() {
    server = newServer();
    client = server.createClient();
    kube = new Kube(client);
    kube.applyCrds();
  }

  /** A started mock API server in CRUD mode (see {@link MockApiServer}). */
  public static KubernetesMockServer newServer() {
    KubernetesMockServer server = MockApiServer.crud(new HashMap<>());
    server.init();
    return server;
  }

  /**
   * The server, e.g. to make a request fail with an expectation (answered before the CRUD store).
   */
  public KubernetesMockServer server() {
    return server;
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
