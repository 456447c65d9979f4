package dev.bellhop.packaging;

import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.MockCluster;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock API server in CRUD mode with Bellhop's CRDs, as the operator's testing MockCluster sets it
 * up, that also hands out what was asked of it: the operator's client and the test's own client carry
 * different User-Agents, so the operator's requests can be told apart.
 */
final class RecordingCluster implements AutoCloseable {
  static final String TEST_AGENT = "bellhop-packaging-test";

  private final KubernetesMockServer server;
  private final KubernetesClient operatorClient;
  private final KubernetesClient testClient;

  RecordingCluster() {
    server = MockCluster.newServer();
    operatorClient = server.createClient();
    Config config = new ConfigBuilder(operatorClient.getConfiguration()).withUserAgent(TEST_AGENT).build();
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

  /** The operator's requests since the last call, as RBAC (group, resource, verb, namespace). */
  List<Rbac.Access> takeOperatorRequests() throws InterruptedException {
    List<Rbac.Access> accesses = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      String path = r.getPath().split("\\?", 2)[0];
      // Discovery (/api, /apis/<group>/<version>, /version) is every authenticated user's (system:discovery).
      boolean discovery = path.matches("/api(/v1)?/?|/apis(/[^/]+){0,2}/?|/version/?");
      if (!TEST_AGENT.equals(r.getHeader("User-Agent")) && !discovery) {
        accesses.add(Rbac.access(r.getMethod(), r.getPath()));
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
