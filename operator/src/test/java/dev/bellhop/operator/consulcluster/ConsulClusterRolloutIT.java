package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.testing.RunningOperator;
import dev.bellhop.testkit.consul.TestConsulCluster;
import dev.bellhop.testkit.consul.TestConsulNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator rolls real Consul servers: its ConsulCluster's pods are mock pods whose IPs are real
 * consul processes ({@link RenderedConsul}); a small kubelet here does what the StatefulSet
 * controller and the kubelet do for {@code OnDelete}: a deleted server pod's process is stopped
 * (SIGTERM: the server leaves, as {@code leave_on_terminate} says), started again and its pod made
 * anew from the current template.
 */
class ConsulClusterRolloutIT {
  private static final String NS = "rollout";

  RunningOperator running;
  KubernetesClient client;
  TestConsulCluster consul;
  final List<String> restarted = new CopyOnWriteArrayList<>();
  final List<Boolean> restartedLeader = new CopyOnWriteArrayList<>();
  final AtomicBoolean kubeletRunning = new AtomicBoolean(true);
  Thread kubelet;
  String management;

  void start(int servers) {
    running =
        RunningOperator.start(new OperatorConfig("127.0.0.1:1", null, "test", Set.of(), -1, null));
    client = running.client();
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace(NS);
    ConsulClusterSpec spec = new ConsulClusterSpec();
    var rollout = new ConsulClusterSpec.Rollout();
    rollout.setPace("1s");
    rollout.setStallAfter("45s");
    spec.setRollout(rollout);
    spec.setServers(servers);
    var agents = new ConsulClusterSpec.Agents();
    agents.setEnabled(true);
    spec.setAgents(agents);
    cc.setSpec(spec);
    client.resource(cc).create();
    consul = RenderedConsul.start(client, NS, "consul", Map.of());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Conditions.isTrue(get().getStatus().getConditions(), Conditions.READY));
    // ACLs are on by default: the test reads raft's state and registers with the management token
    // (Ready means the operator has bootstrapped and stored it).
    management =
        ConsulClusterResources.secretValue(
            client.secrets().inNamespace(NS).withName("consul-acl-bootstrap").get(), "token");
    assertThat(management).isNotNull();
    kubelet = new Thread(this::kubelet, "rollout-kubelet");
    kubelet.setDaemon(true);
    kubelet.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    kubeletRunning.set(false);
    if (kubelet != null) {
      kubelet.join(15_000);
    }
    RenderedConsul.close(consul);
    RunningOperator.close(running);
  }

  /**
   * A rollout as certificate renewal makes one (issue #16: renewed well before expiry, by a rolling
   * restart): the test puts certificates that expire in 65 days, issued by the cluster's own CA, in
   * the Secret; the operator re-issues them for a year under the same CA and the servers restart
   * onto them one by one, the leader last, with quorum and every write kept; then the agents roll.
   * Each server then serves the new certificate. (An image or configuration change changes the pod
   * template the same way: {@code RevisionTest}.)
   */
  @Test
  void renewedCertificatesRollTheServersOneByOneTheLeaderLastWithQuorumAndWritesKept()
      throws Exception {
    start(3);
    var secret = client.secrets().inNamespace(NS).withName("consul-tls");
    String ca = ConsulClusterResources.secretValue(secret.get(), ClusterCertificates.CA_CRT);
    Map<String, String> expiring =
        ClusterCertificates.ensure(
            Map.of(
                ClusterCertificates.CA_CRT,
                ca,
                ClusterCertificates.CA_KEY,
                ConsulClusterResources.secretValue(secret.get(), ClusterCertificates.CA_KEY)),
            ClusterSettings.of(get()),
            Instant.now().minus(Duration.ofDays(300)));
    String agentsBefore = agentTemplateHash();
    try (var sampler = new ProcessRollout.Sampler(consul, management)) {
      secret.edit(
          s -> {
            expiring.forEach((k, v) -> s.getData().put(k, ConsulClusterResources.base64(v)));
            return s;
          });
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  "RollingServer"
                      .equals(
                          Conditions.find(
                                  get().getStatus().getConditions(),
                                  ConsulClusterReconciler.PROGRESSING)
                              .map(c -> c.getReason())
                              .orElse("")));
      List<Integer> agentsChangedAfterRestarts = new CopyOnWriteArrayList<>();
      await()
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (agentsChangedAfterRestarts.isEmpty()
                    && !agentsBefore.equals(agentTemplateHash())) {
                  agentsChangedAfterRestarts.add(restarted.size());
                }
                var status = get().getStatus();
                return Integer.valueOf(3).equals(status.getUpdatedServers())
                    && status.getRolloutServer() == null
                    && Conditions.isTrue(status.getConditions(), Conditions.READY);
              });
      await("the agents roll once the servers have")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !agentsBefore.equals(agentTemplateHash()));
      assertThat(agentsChangedAfterRestarts)
          .as("servers restarted when the agents' template changed")
          .allMatch(n -> n == 3);
      assertThat(
              client
                  .apps()
                  .daemonSets()
                  .inNamespace(NS)
                  .withName("consul-agent")
                  .get()
                  .getSpec()
                  .getUpdateStrategy()
                  .getRollingUpdate()
                  .getMaxUnavailable()
                  .getIntVal())
          .as("node by node")
          .isEqualTo(1);
      sampler.close();
      System.out.printf(
          "ROLLOUT restarted=%s leaderAtRestart=%s minLiveVoters=%d longestLeaderlessMs=%d writes=%d "
              + "failedWrites=%d%n",
          restarted,
          restartedLeader,
          sampler.minLiveVoters.get(),
          sampler.longestLeaderlessMs.get(),
          sampler.writes.get(),
          sampler.failedWrites.get());
      var renewed =
          ClusterCertificates.certificate(
              ConsulClusterResources.secretValue(secret.get(), ClusterCertificates.SERVER_CRT));
      assertThat(renewed.getNotAfter().toInstant())
          .isAfter(Instant.now().plus(Duration.ofDays(300)));
      assertThat(ConsulClusterResources.secretValue(secret.get(), ClusterCertificates.CA_CRT))
          .as("the same CA")
          .isEqualTo(ca);
      for (TestConsulNode server : consul.servers()) {
        assertThat(servedCertificate(server.address()))
            .as("served by %s", server.name())
            .isEqualTo(renewed);
      }
      assertThat(restarted).doesNotHaveDuplicates().hasSize(3);
      assertThat(restartedLeader.subList(0, 2)).as("followers first").containsOnly(false);
      assertThat(restartedLeader.get(2)).as("the leader last").isTrue();
      assertThat(sampler.minLiveVoters.get()).as(sampler.atMinimum).isGreaterThanOrEqualTo(2);
      assertThat(sampler.failedWrites.get()).isZero();
      assertThat(
              Conditions.find(
                      get().getStatus().getConditions(), ConsulClusterReconciler.PROGRESSING)
                  .orElseThrow()
                  .getStatus())
          .isEqualTo("False");
    }
  }

  /** The certificate a server presents on its HTTPS port (trusting anything: only read here). */
  private static java.security.cert.Certificate servedCertificate(String address) throws Exception {
    var trustAll =
        new javax.net.ssl.X509TrustManager() {
          @Override
          public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

          @Override
          public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

          @Override
          public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
          }
        };
    var tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, new javax.net.ssl.TrustManager[] {trustAll}, null);
    try (var socket =
        (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(address, 8501)) {
      socket.startHandshake();
      return socket.getSession().getPeerCertificates()[0];
    }
  }

  private String agentTemplateHash() {
    return client
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .withName("consul-agent")
        .get()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(ConsulClusterResources.CONFIG_HASH);
  }

  private ConsulCluster get() {
    return client.resources(ConsulCluster.class).inNamespace(NS).withName("consul").get();
  }

  /**
   * Per server ordinal: below the StatefulSet's replicas, a missing pod is made again (its process
   * restarted, the pod from the current template); at or above, the pod is deleted and its process
   * stopped with SIGTERM (it leaves, {@code leave_on_terminate}).
   */
  private void kubelet() {
    while (kubeletRunning.get()) {
      var sts = client.apps().statefulSets().inNamespace(NS).withName("consul-server").get();
      int replicas = sts.getSpec().getReplicas();
      for (int i = 0; i < consul.servers().size(); i++) {
        String podName = "consul-server-" + i;
        TestConsulNode node = consul.servers().get(i);
        Pod existing = client.pods().inNamespace(NS).withName(podName).get();
        if (i >= replicas) {
          if (existing != null) {
            client.pods().resource(existing).delete();
            consul.stop(node);
          }
          continue;
        }
        if (existing != null) {
          continue;
        }
        var health = ProcessRollout.health(consul, management);
        restartedLeader.add(health != null && podName.equals(health.leader()));
        restarted.add(podName);
        consul.stop(node);
        RenderedConsul.remountTls(client, NS, "consul", node);
        consul.startNode(node);
        var template = sts.getSpec().getTemplate().getMetadata();
        Pod pod =
            RenderedConsul.pod(
                NS, template.getLabels(), template.getAnnotations(), podName, node.address());
        client.pods().resource(pod).create();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Test
  void scalingFiveToThreeToFiveToThreeKeepsQuorumAndLeavesNoDeadPeers() throws Exception {
    start(5);
    try (var sampler = new ProcessRollout.Sampler(consul, management)) {
      awaitPeers(5);
      List<Integer> replicasSeen = new CopyOnWriteArrayList<>();
      scale(3, replicasSeen);
      awaitPeers(3);
      assertThat(replicasSeen).as("one server at a time").contains(4);
      scale(5, replicasSeen);
      awaitPeers(5);
      scale(3, replicasSeen);
      awaitPeers(3);
      sampler.close();
      System.out.printf(
          "SCALING replicas=%s minQuorumMargin=%d minLiveVoters=%d failedWrites=%d%n",
          replicasSeen,
          sampler.minQuorumMargin.get(),
          sampler.minLiveVoters.get(),
          sampler.failedWrites.get());
      assertThat(sampler.minQuorumMargin.get())
          .as("live voters minus quorum, at every sample")
          .isNotNegative();
      assertThat(sampler.failedWrites.get()).isZero();
    }
  }

  /**
   * Sets spec.servers and waits until the StatefulSet has that many replicas, noting each count it
   * passes.
   */
  private void scale(int servers, List<Integer> seen) {
    client
        .resources(ConsulCluster.class)
        .inNamespace(NS)
        .withName("consul")
        .edit(
            cc -> {
              cc.getSpec().setServers(servers);
              return cc;
            });
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              int replicas =
                  client
                      .apps()
                      .statefulSets()
                      .inNamespace(NS)
                      .withName("consul-server")
                      .get()
                      .getSpec()
                      .getReplicas();
              if (seen.isEmpty() || seen.get(seen.size() - 1) != replicas) {
                seen.add(replicas);
              }
              return replicas == servers;
            });
  }

  /**
   * Exactly {@code n} raft servers, all voters, each a running process: no dead peer left behind.
   */
  private void awaitPeers(int n) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var health = ProcessRollout.health(consul, management);
              assertThat(health).isNotNull();
              assertThat(health.servers())
                  .hasSize(n)
                  .allSatisfy(
                      server -> {
                        assertThat(server.voter()).isTrue();
                        assertThat(server.healthy()).isTrue();
                      });
            });
  }
}
