package dev.bellhop.services.gateway;

import static dev.bellhop.services.gateway.GatewayTestSupport.call;
import static dev.bellhop.services.gateway.GatewayTestSupport.post;
import static dev.bellhop.services.gateway.GatewayTestSupport.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.gateway.GatewayTestSupport.Reply;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import dev.bellhop.testkit.consul.TestConsulNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consul failures under load, against three servers and the client agent the gateway talks to (as
 * in production, where the address is a local agent or the servers' Service).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayConsulOutageIT {
  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(3).agents(1));

  static Vertx vertx;
  static Vertx gatewayVertx;
  static Gateway gateway;
  static final List<Backend> backends = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    gatewayVertx = Vertx.vertx();
    gateway =
        GatewayTestSupport.startGateway(
            gatewayVertx, CONSUL.cluster().agents().get(0).httpAddress(), Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().isReady());
    for (String name : List.of("steady-1", "steady-2")) {
      Backend backend = Backend.start(vertx, name);
      backends.add(backend);
      register(CONSUL.cluster(), "steady", name, backend.port(), "passing");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                post(gateway.port(), "/steady/call", "{}").status() == 200
                    && gateway.routedInstances() == 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (Backend backend : backends) {
      backend.close();
    }
    gatewayVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Four callers in a loop until stopped; every answer that is not a 200 is kept. */
  static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    Load(String path) {
      for (int i = 0; i < 4; i++) {
        Thread thread =
            new Thread(
                () -> {
                  while (running.get()) {
                    try {
                      Reply reply = post(gateway.port(), path, "{}");
                      if (reply.status() == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(reply.status() + " " + reply.body());
                      }
                    } catch (RuntimeException e) {
                      failures.add(e.toString());
                    }
                  }
                },
                "load-" + i);
        thread.start();
        threads.add(thread);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(30_000);
      }
    }
  }

  @Test
  @Order(1)
  void leaderKilledUnderLoadFailsNoRequest() throws Exception {
    TestConsulCluster cluster = CONSUL.cluster();
    TestConsulNode leader = cluster.leader();
    Load load = new Load("/steady/call");
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> load.ok.get() > 100);
      cluster.kill(leader);
      cluster.awaitLeader(Duration.ofSeconds(30));
      int afterElection = load.ok.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> load.ok.get() > afterElection + 200);

      // Routing still follows Consul through the new leader.
      Backend third = Backend.start(vertx, "steady-3");
      backends.add(third);
      register(cluster, "steady", "steady-3", third.port(), "passing");
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> third.hits.get() > 0);
    } finally {
      load.close();
    }
    assertThat(load.failures).isEmpty();
    assertThat(load.ok.get()).isGreaterThan(300);
    cluster.restart(leader);
  }

  @Test
  @Order(2)
  void consulFullyDownRoutingContinuesOnTheLastTable() throws Exception {
    TestConsulCluster cluster = CONSUL.cluster();
    int instances = gateway.routedInstances();
    double errorsBefore = GatewayTestSupport.consulErrors(gateway);
    Load load = new Load("/steady/call");
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> load.ok.get() > 50);
      for (TestConsulNode node : cluster.agents()) {
        cluster.kill(node);
      }
      for (TestConsulNode node : cluster.servers()) {
        cluster.kill(node);
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> GatewayTestSupport.consulErrors(gateway) > errorsBefore + 2);
      int whileDown = load.ok.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() > whileDown + 300);
      assertThat(gateway.routedInstances()).isEqualTo(instances);
      assertThat(
              call(gateway.adminPort(), HttpMethod.GET, "/health/ready", null, Map.of()).status())
          .isEqualTo(200);
      // The catalog is remembered too: unknown names are still 404, known ones routed.
      assertThat(post(gateway.port(), "/never-registered/call", "{}").status()).isEqualTo(404);
    } finally {
      load.close();
    }
    assertThat(load.failures).isEmpty();

    // Consul back: the watches resume and follow changes again.
    for (TestConsulNode node : cluster.servers()) {
      cluster.startNode(node);
    }
    cluster.awaitLeader(Duration.ofSeconds(60));
    for (TestConsulNode node : cluster.agents()) {
      cluster.startNode(node);
    }
    Backend fourth = Backend.start(vertx, "steady-4");
    backends.add(fourth);
    register(cluster, "steady", "steady-4", fourth.port(), "passing");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              post(gateway.port(), "/steady/call", "{}");
              return fourth.hits.get() > 0;
            });
  }
}
