package dev.bellhop.localcluster.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local kube-proxy's UDP path, as the hotel's DNS queries take it: a datagram to a Service's
 * cluster IP reaches a ready pod and its answer comes back from the cluster IP; a node-local
 * Service answers a pod only from its own node.
 */
class ServiceProxyTest {
  private static final Map<String, String> NODES =
      Map.of("node-1", "127.0.0.2", "node-2", "127.0.0.3");

  /** How long an answer may take on a loaded machine. */
  private static final Duration ANSWER = Duration.ofSeconds(5);

  private final Vertx vertx = Vertx.vertx();
  private final CacheImpl<Service> services = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final PodNetwork network = new PodNetwork(null);
  private ServiceProxy proxy;
  private int agentPort;

  @BeforeEach
  void agentOnNodeOne() throws Exception {
    // The "agent": answers each datagram with "<its address>:<the query>".
    DatagramSocket agent = vertx.createDatagramSocket();
    agent.handler(p -> agent.send("127.0.1.201:" + p.data(), p.sender().port(), p.sender().host()));
    agentPort =
        agent
            .listen(0, "127.0.1.201")
            .toCompletionStage()
            .toCompletableFuture()
            .get()
            .localAddress()
            .port();
    pods.put(NetworkFixtures.ready("agent-1", "node-1", "127.0.1.201", "agent"));
    pods.put(NetworkFixtures.ready("hotel-1", "node-1", "127.0.1.202", "hotel"));
    pods.put(NetworkFixtures.ready("hotel-2", "node-2", "127.0.1.203", "hotel"));
    services.put(NetworkFixtures.agentService("Local", 8600, agentPort));
    proxy = new ServiceProxy(vertx, network, services, pods, NODES);
    proxy.sync();
  }

  @AfterEach
  void close() throws Exception {
    proxy.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void aQueryToTheClusterIpIsAnsweredFromTheClusterIp() throws Exception {
    String clusterIp = network.clusterIp("demo", "consul-agent");
    // A process on the host (its address is no pod's) gets any node's agent.
    assertThat(ask(null, clusterIp, ANSWER)).isEqualTo("127.0.1.201:auth.service.consul");
    // A pod on node-1 gets its node's agent.
    assertThat(ask("127.0.1.202", clusterIp, ANSWER)).isEqualTo("127.0.1.201:auth.service.consul");
  }

  @Test
  void aPodOnANodeWithoutAnAgentIsNotAnswered() throws Exception {
    // Nothing comes back: a second is ample for a datagram that would (ANSWER is for a loaded CI).
    assertThat(ask("127.0.1.203", network.clusterIp("demo", "consul-agent"), Duration.ofSeconds(1)))
        .isNull();
  }

  /** Sends from {@code from} (null: the host's choice); the answer, or null after {@code wait}. */
  private static String ask(String from, String clusterIp, Duration wait) throws Exception {
    try (java.net.DatagramSocket socket =
        new java.net.DatagramSocket(
            from == null ? new InetSocketAddress(0) : new InetSocketAddress(from, 0))) {
      socket.setSoTimeout((int) wait.toMillis());
      byte[] query = "auth.service.consul".getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(query, query.length, InetAddress.getByName(clusterIp), 8600));
      DatagramPacket answer = new DatagramPacket(new byte[512], 512);
      try {
        socket.receive(answer);
      } catch (SocketTimeoutException e) {
        return null;
      }
      assertThat(answer.getAddress().getHostAddress()).as("answered from").isEqualTo(clusterIp);
      return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
    }
  }
}
