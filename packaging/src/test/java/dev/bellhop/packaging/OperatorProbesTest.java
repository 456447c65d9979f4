package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.BellhopOperator;
import io.fabric8.kubernetes.api.model.Container;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart runs two operator replicas with liveness and readiness probes: both the leader and the
 * follower (which runs no controllers) must pass them, or Kubernetes would restart the follower
 * forever.
 */
class OperatorProbesTest {
  @Test
  void leaderAndFollowerPassTheChartsProbes() throws Exception {
    var objects = Charts.objects(Charts.template(Map.of()));
    Container container =
        ChartTest.deployment(objects, "bellhop-operator")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    List<String> probes =
        List.of(
            container.getLivenessProbe().getHttpGet().getPath(),
            container.getReadinessProbe().getHttpGet().getPath());
    var config = OperatorSettings.config(objects);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (var cluster = new RecordingCluster(objects, Rbac.operatorUser(objects));
        var leader = BellhopOperator.start(cluster.operatorClient(), config)) {
      var lease =
          cluster.client().leases().inNamespace(Charts.NAMESPACE).withName("bellhop-operator");
      await().atMost(Duration.ofSeconds(30)).until(() -> lease.get() != null);
      try (var follower = BellhopOperator.start(cluster.operatorClient(), config)) {
        for (BellhopOperator replica : List.of(leader, follower)) {
          for (String path : probes) {
            URI uri = URI.create("http://127.0.0.1:" + replica.httpPort() + path);
            await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(
                    () ->
                        assertThat(
                                http.send(
                                        HttpRequest.newBuilder(uri)
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                    .statusCode())
                            .as(uri.toString())
                            .isEqualTo(200));
          }
        }
        // The follower did not take the lease.
        String holder = lease.get().getSpec().getHolderIdentity();
        await()
            .during(Duration.ofMillis(500))
            .atMost(Duration.ofSeconds(5))
            .until(() -> holder.equals(lease.get().getSpec().getHolderIdentity()));
      }
    }
  }
}
