package dev.bellhop.packaging;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import dev.bellhop.localcluster.apiserver.authorization.AccessReviews;
import dev.bellhop.localcluster.apiserver.authorization.RbacAuthorizer;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock API server in CRUD mode with Bellhop's CRDs, as the operator's testing MockCluster
 * sets it up, that also hands out what was asked of it: the operator's client and the test's own
 * client carry different User-Agents, so the operator's requests can be told apart. The operator's
 * SelfSubjectRulesReviews (JOSDK's check before leader election) are answered from the chart's RBAC
 * by the local API server's authorizer, as the operator's ServiceAccount.
 */
final class RecordingCluster implements AutoCloseable {
  static final String TEST_AGENT = "bellhop-packaging-test";

  private final KubernetesMockServer server;
  private final KubernetesClient operatorClient;
  private final KubernetesClient testClient;

  /**
   * @param rbac the RBAC objects (a rendered chart) the operator's rules reviews are answered from
   */
  RecordingCluster(List<HasMetadata> rbac, UserInfo operator) {
    server = MockApiServer.crud(new HashMap<>(), false);
    AccessReviews reviews =
        new AccessReviews(
            new RbacAuthorizer(
                new dev.bellhop.localcluster.apiserver.authorization.StaticRbacSource(rbac)));
    String path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
    server
        .expect()
        .post()
        .withPath(path)
        .andReply(
            201,
            request ->
                reviews.answer(RequestInfo.parse("POST", path), operator, request.getUtf8Body()))
        .always();
    server.init();
    operatorClient = server.createClient();
    Config config =
        new ConfigBuilder(operatorClient.getConfiguration()).withUserAgent(TEST_AGENT).build();
    testClient = new KubernetesClientBuilder().withConfig(config).build();
    new Kube(testClient).applyCrds();
  }

  /** The client to give the operator. */
  KubernetesClient operatorClient() {
    return operatorClient;
  }

  /** The test's own client; its requests are not the operator's. */
  KubernetesClient client() {
    return testClient;
  }

  /** The operator's requests since the last call. */
  List<Rbac.Access> takeOperatorRequests() throws InterruptedException {
    List<Rbac.Access> accesses = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      if (!TEST_AGENT.equals(r.getHeader("User-Agent"))) {
        accesses.add(
            new Rbac.Access(
                RequestInfo.parse(r.getMethod(), r.getPath()),
                r.getMethod() + " " + r.getPath(),
                r.getUtf8Body()));
      }
    }
    return accesses;
  }

  @Override
  public void close() {
    testClient.close();
    operatorClient.close();
    server.destroy();
  }
}
