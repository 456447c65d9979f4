package dev.bellhop.testkit.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SuppressWarnings("unchecked")
class TestConsulClusterIT {
  @RegisterExtension static final ConsulClusterExtension consul = new ConsulClusterExtension(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @Order(1)
  void threeServersWithLeaderAndThreePeers(TestConsulCluster cluster) throws Exception {
    assertThat(cluster).isSameAs(consul.cluster());
    System.out.println(
        "BENCH testkit.startup.3servers=" + cluster.startupTime().toMillis() + " unit=ms");
    assertThat(cluster.servers())
        .hasSize(3)
        .allMatch(TestConsulNode::isRunning)
        .allMatch(TestConsulNode::server);
    assertThat(cluster.agents()).isEmpty();
    String block = cluster.addressBlock();
    assertThat(block).matches("127\\.(1\\d\\d|2[0-4]\\d|250)\\.\\d+");
    for (int i = 0; i < 3; i++) {
      TestConsulNode n = cluster.servers().get(i);
      assertThat(n.address()).isEqualTo(block + "." + (i + 1));
      assertThat(n.httpUrl()).isEqualTo("http://" + n.address() + ":8500");
      assertThat(n.dnsPort()).isEqualTo(8600);
      assertThat(n.pid()).isPositive();
      assertThat(n.dataDir()).startsWith(cluster.dataDir());
      assertThat(n.dataDir().resolve("consul.pid")).exists();
    }
    TestConsulNode leader = cluster.leader();
    assertThat(cluster.servers()).contains(leader);
    List<Object> peers = JSON.readValue(cluster.httpGet("/v1/status/peers"), List.class);
    assertThat(peers)
        .containsExactlyInAnyOrder(block + ".1:8300", block + ".2:8300", block + ".3:8300");
    assertThat(cluster.httpAddress()).isEqualTo(block + ".1:8500");
    assertThat(cluster.httpUrl()).isEqualTo("http://" + block + ".1:8500");
    // UI is on
    assertThat(cluster.httpGet("/ui/")).containsIgnoringCase("<html");
  }

  @Test
  @Order(2)
  void serviceRegisteredOnOneServerIsVisibleOnAnotherAndInDns(TestConsulCluster cluster)
      throws Exception {
    TestConsulNode s1 = cluster.servers().get(0);
    TestConsulNode s3 = cluster.servers().get(2);
    cluster.request(
        "PUT",
        s1,
        "/v1/catalog/register",
        """
        {"Node": "k8s-node-1-bellhop", "Address": "10.1.2.3",
         "Service": {"ID": "geo-1", "Service": "geo", "Address": "10.1.2.3", "Port": 8082, "Tags": ["v1"]}}
        """);
    String services = cluster.request("GET", s3, "/v1/catalog/service/geo", null);
    assertThat(services).contains("\"ServiceID\":\"geo-1\"").contains("\"ServicePort\":8082");

    // DNS answers from the queried server's local (possibly a few ms stale) state: poll briefly
    List<DnsSrv.Srv> srv = srvEventually(s3.address(), s3.dnsPort(), "geo.service.consul");
    assertThat(srv).hasSize(1);
    assertThat(srv.get(0).port()).isEqualTo(8082);
    assertThat(srv.get(0).target())
        .isEqualTo("0a010203.addr.dc1.consul."); // 10.1.2.3, Consul 1.8 style
    assertThat(srvEventually(cluster.dnsHost(), cluster.dnsPort(), "geo.service.consul"))
        .hasSize(1);
  }

  private static List<DnsSrv.Srv> srvEventually(String host, int port, String name)
      throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try {
        List<DnsSrv.Srv> r = DnsSrv.query(host, port, name);
        if (!r.isEmpty()) {
          return r;
        }
      } catch (java.io.IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        return List.of();
      }
      Thread.sleep(50);
    }
  }

  @Test
  @Order(3)
  void killLeaderElectsNewLeaderAndRestartRejoins(TestConsulCluster cluster) throws Exception {
    TestConsulNode old = cluster.leader();
    long t0 = System.nanoTime();
    cluster.kill(old);
    assertThat(old.isRunning()).isFalse();
    cluster.awaitLeader(Duration.ofSeconds(30));
    long electMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("BENCH testkit.reelection=" + electMs + " unit=ms");
    TestConsulNode next = cluster.leader();
    assertThat(next).isNotEqualTo(old);
    assertThat(cluster.httpAddress()).isNotEqualTo(old.httpAddress());

    // writes keep working with 2 of 3 servers
    cluster.httpPut("/v1/kv/bellhop/after-failover", "yes");
    assertThat(cluster.httpGet("/v1/kv/bellhop/after-failover?raw")).isEqualTo("yes");

    long t1 = System.nanoTime();
    cluster.restart(old);
    System.out.println(
        "BENCH testkit.restart=" + (System.nanoTime() - t1) / 1_000_000 + " unit=ms");
    assertThat(old.isRunning()).isTrue();
    String block = cluster.addressBlock();
    List<Object> peers =
        JSON.readValue(cluster.request("GET", old, "/v1/status/peers", null), List.class);
    assertThat(peers)
        .containsExactlyInAnyOrder(block + ".1:8300", block + ".2:8300", block + ".3:8300");
    assertThat(cluster.request("GET", old, "/v1/kv/bellhop/after-failover?raw", null))
        .isEqualTo("yes");

    // graceful stop of the (new) leader works too
    TestConsulNode leader = cluster.leader();
    cluster.stop(leader);
    cluster.awaitLeader(Duration.ofSeconds(30));
    assertThat(cluster.leader()).isNotEqualTo(leader);
    cluster.restart(leader);
    assertThat(cluster.servers()).allMatch(TestConsulNode::isRunning);
  }

  @Test
  @Order(4)
  void closeIsQuickAndLeavesNothing(TestConsulCluster cluster) {
    // the extension closes it again in afterAll: close is idempotent
    List<Long> pids = cluster.nodes().stream().map(TestConsulNode::pid).toList();
    long t0 = System.nanoTime();
    cluster.close();
    System.out.println(
        "BENCH testkit.close.3servers=" + (System.nanoTime() - t0) / 1_000_000 + " unit=ms");
    assertThat(pids)
        .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertThat(cluster.dataDir()).doesNotExist();
  }
}
