package dev.bellhop.operator.registration;

import static dev.bellhop.operator.registration.RegistrationSyncIT.owner;
import static dev.bellhop.operator.registration.RegistrationSyncIT.regs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot from before the latest change restored into a running 3-server cluster (what a
 * ConsulRestore does) while the engine's watches are parked: Consul then holds the snapshot's
 * registrations, and the engine, which never stopped, puts back what Kubernetes wants now. Consul
 * answers the parked queries from the state it replaced, so this fails unless the watch treats an
 * early answer without a newer index as a restore (DriftWatch.nextIndex).
 */
class ConsulRestoreIT {
  @RegisterExtension static final ConsulClusterExtension CONSUL = new ConsulClusterExtension(3);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void registrationsMadeAfterASnapshotComeBackWhenItIsRestored() throws Exception {
    var consul = CONSUL.cluster();
    var reader = new ConsulReader(consul);
    var meters = new SimpleMeterRegistry();
    var before = regs("r1", "ns/geo", "r1-geo", 2, true);
    var now = regs("r1", "ns/geo", "r1-geo", 3, true);
    var catalog = new ConsulCatalog(consul.httpAddresses(), null, null, "r1");
    try (var sync = new RegistrationSync(catalog, meters)) {
      sync.sync(owner("ns/geo"), before);
      await().atMost(Duration.ofSeconds(10)).until(() -> reader.instances("r1-geo").size() == 2);
      byte[] snapshot =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(consul.httpUrl() + "/v1/snapshot")).build(),
                  HttpResponse.BodyHandlers.ofByteArray())
              .body();
      sync.sync(owner("ns/geo"), now);
      assertThat(reader.instances("r1-geo")).hasSize(3);
      // The case that matters: the watches parked on the newest index when the restore lands (no
      // request from the engine for three polls in a row).
      long[] seen = {-1, 0};
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                long n = catalog.requests();
                seen[1] = n == seen[0] ? seen[1] + 1 : 0;
                seen[0] = n;
                return seen[1] >= 3;
              });

      var restored =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(consul.httpUrl() + "/v1/snapshot"))
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(snapshot))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                for (Registration r : now) {
                  ConsulDriftIT.assertHolds(reader, r);
                }
              });
    }
  }
}
