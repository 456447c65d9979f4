package dev.bellhop.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.operator.testing.ConsulReader;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Group commit against a real Consul: packing, one bad batch among good ones, order per key. */
class TxnPipelineIT {
  @RegisterExtension static final ConsulClusterExtension CONSUL = new ConsulClusterExtension(1);

  private static ConsulCatalog catalog() {
    return new ConsulCatalog(CONSUL.cluster().servers().get(0).httpAddress(), null, "pipeline");
  }

  private static Registration reg(String service, int i) {
    return new Registration(
        new Owner("ns", service),
        service + "-" + i,
        service,
        "pipeline-node",
        "127.0.0.1",
        "10.1.0." + i,
        80,
        List.of(),
        Map.of(InstanceMeta.MANAGED_BY, "pipeline-test"),
        true);
  }

  @Test
  void aBatchConsulRejectsFailsAloneWhenPackedWithOthers() throws Exception {
    var catalog = catalog();
    catalog.txn(List.of(ConsulCatalog.nodeSet("pipeline-node", "127.0.0.1", "pipeline")));
    var gate = new CountDownLatch(1);
    try (var pipeline =
        new TxnPipeline(
            ops -> {
              awaitQuietly(
                  gate); // holds the lane until every batch is queued, so the bad one is packed
              // with others
              catalog.txn(ops);
            },
            1)) {
      var first = pipeline.submit("first", List.of(ConsulCatalog.serviceSet(reg("zeta", 0))));
      var good =
          pipeline.submit(
              "good",
              List.of(
                  ConsulCatalog.serviceSet(reg("zeta", 1)),
                  ConsulCatalog.checkSet(reg("zeta", 1))));
      var bad =
          pipeline.submit(
              "bad",
              List.of(
                  Map.of(
                      "Service",
                      Map.of(
                          "Verb",
                          "set",
                          "Node",
                          "no-such-node",
                          "Service",
                          Map.of("ID", "orphan", "Service", "zeta")))));
      gate.countDown();

      first.join();
      good.join();
      assertThatThrownBy(bad::join)
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(ConsulRejectedException.class);
    }
    assertThat(new ConsulReader(CONSUL.cluster()).instances("zeta"))
        .containsOnlyKeys("zeta-0", "zeta-1");
  }

  @Test
  void batchesOfOneKeyAreWrittenInTheOrderTheyCameWhateverTheLanes() {
    var catalog = catalog();
    catalog.txn(List.of(ConsulCatalog.nodeSet("pipeline-node", "127.0.0.1", "pipeline")));
    var registrationsHeld = new CountDownLatch(1);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    try (var pipeline =
        new TxnPipeline(
            ops -> {
              if (ops.stream().anyMatch(op -> op.containsKey("Check"))) {
                awaitQuietly(
                    registrationsHeld); // the lanes that took registrations wait; the others are
                // free
              }
              catalog.txn(ops);
            },
            4)) {
      List<Registration> regs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Registration r = reg("eta", i);
        regs.add(r);
        writes.add(
            pipeline.submit(
                r.owner().toString() + i,
                List.of(ConsulCatalog.serviceSet(r), ConsulCatalog.checkSet(r))));
      }
      // Registered, then deregistered: in this order only, nothing is left. Free lanes must not
      // take a deregistration while its key's registration is still with another lane.
      for (int i = 0; i < 40; i++) {
        writes.add(
            pipeline.submit(
                regs.get(i).owner().toString() + i,
                List.of(ConsulCatalog.serviceDelete(regs.get(i)))));
      }
      registrationsHeld.countDown();
      writes.forEach(CompletableFuture::join);
    }
    assertThat(new ConsulReader(CONSUL.cluster()).instances("eta")).isEmpty();
  }

  private static void awaitQuietly(CountDownLatch gate) {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
