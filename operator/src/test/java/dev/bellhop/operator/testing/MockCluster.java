package dev.bellhop.operator.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

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
    server = newServer();
    client = server.createClient();
    kube = new Kube(client);
    kube.applyCrds();
  }

  /**
   * A started mock API server in CRUD mode that, like a real one, answers access reviews (JOSDK
   * asks one before leader election). Expectations are answered first, as with the extension's crud = true.
   */
  public static KubernetesMockServer newServer() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
        new KubernetesMixedDispatcher(expectations), false);
    server.init();
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
            .withApiGroups("*").withResources("*").withVerbs("*").endResourceRule().endStatus().build())
        .always();
    return server;
  }

  /** The server, e.g. to make a request fail with an expectation (answered before the CRUD store). */
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
