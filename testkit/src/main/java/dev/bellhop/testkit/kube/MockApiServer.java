package dev.bellhop.testkit.kube;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's mock API server in CRUD mode, set up as Bellhop's tests, benchmarks and local cluster
 * need it: expectations answered before the CRUD store (as with the extension's crud = true), and,
 * unless asked not to, every SelfSubjectRulesReview answered "everything allowed" (JOSDK asks one
 * before leader election). Tests of RBAC itself (packaging's RbacTest, the local cluster) answer
 * reviews from real rules instead: {@link #crud(Map, boolean)} with false.
 */
public final class MockApiServer {
  /**
   * The mock logs every request at INFO through java.util.logging; held here so the level sticks.
   */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private MockApiServer() {}

  /** The same quiet log for tests that start fabric8's mock through its JUnit extension. */
  public static void quietLogs() {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  /** Not started yet: {@code init()} (a free port) or {@code init(address, port)}. */
  public static KubernetesMockServer crud(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    return crud(expectations, true);
  }

  /**
   * @param grantEverything answer every rules review "everything allowed" (no RBAC in this test)
   */
  public static KubernetesMockServer crud(
      Map<ServerRequest, Queue<ServerResponse>> expectations, boolean grantEverything) {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new ResumingWatches(expectations),
            false);
    if (!grantEverything) {
      return server;
    }
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .addNewResourceRule()
                .withApiGroups("*")
                .withResources("*")
                .withVerbs("*")
                .endResourceRule()
                .endStatus()
                .build())
        .always();
    return server;
  }
}
