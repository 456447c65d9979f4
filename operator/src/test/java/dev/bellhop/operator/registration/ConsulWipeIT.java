package dev.bellhop.operator.registration;

import static dev.bellhop.operator.registration.RegistrationSyncIT.owner;
import static dev.bellhop.operator.registration.RegistrationSyncIT.regs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every Consul server stopped, its data directory wiped, and started again: a new raft cluster with
 * an empty catalog (as after a lost volume, or a snapshot from before Bellhop's entries). The
 * engine, which never stopped, puts everything back without being told.
 */
class ConsulWipeIT {
  @RegisterExtension static final ConsulClusterExtension CONSUL = new ConsulClusterExtension(3);

  @Test
  void everyRegistrationIsBackAfterTheServersRestartAsANewCluster() {
    var consul = CONSUL.cluster();
    var reader = new ConsulReader(consul);
    var meters = new SimpleMeterRegistry();
    var first = regs("w1", "ns/one", "w1-one", 10, true);
    var second = regs("w1", "ns/two", "w1-two", 5, false);
    try (var sync =
        new RegistrationSync(new ConsulCatalog(consul.httpAddresses(), null, null, "w1"), meters)) {
      sync.sync(owner("ns/one"), first);
      sync.sync(owner("ns/two"), second);
      assertThat(reader.instances("w1-one")).hasSize(10);

      consul.restartServersAsNewCluster(Duration.ofSeconds(60));

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                for (Registration r : concat(first, second)) {
                  ConsulDriftIT.assertHolds(reader, r);
                }
              });
      assertThat(reader.json("/v1/catalog/nodes?node-meta=bellhop-cluster:w1")).hasSize(3);
      assertThat(ConsulDriftIT.repairs(meters, RepairKind.INSTANCE_MISSING))
          .isGreaterThanOrEqualTo(15);
    }
  }

  private static List<Registration> concat(List<Registration> a, List<Registration> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
