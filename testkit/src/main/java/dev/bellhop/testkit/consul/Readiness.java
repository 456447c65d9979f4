package dev.bellhop.testkit.consul;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Whether a cluster is ready, asked from Consul itself: a leader every running server agrees on,
 * every running server a raft peer and in the catalog, every agent an alive member that knows the
 * leader. Each check answers null when ready, else why not; {@link #await} polls one until it
 * holds.
 */
final class Readiness {
  private static final long POLL_MILLIS = 50;

  private final TestConsulCluster cluster;
  private final ConsulRequests http;

  /** The configs are the caller's: a node's name in Consul may differ from the fixture's. */
  private final boolean customConfigs;

  /** Called before a wait fails: the cluster keeps its data dir for a post-mortem. */
  private final Runnable markFailed;

  /** ACL configured but no token given: catalog/members reads may be filtered, skip them. */
  private volatile boolean aclBlind;

  Readiness(
      TestConsulCluster cluster, ConsulRequests http, boolean customConfigs, Runnable markFailed) {
    this.cluster = cluster;
    this.http = http;
    this.customConfigs = customConfigs;
    this.markFailed = markFailed;
  }

  /**
   * Catalog and member reads may be filtered by ACLs: judge by the ACL-free status endpoints only.
   */
  void aclBlind() {
    aclBlind = true;
  }

  /**
   * Waits until {@code problem} answers null; throws with the nodes' log tails after {@code
   * timeout}.
   */
  void await(Duration timeout, Supplier<String> problem, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    while (true) {
      try {
        NodeProcesses.checkNoUnexpectedDeath(cluster.nodes());
      } catch (IllegalStateException e) {
        markFailed.run();
        throw e;
      }
      last = problem.get();
      if (last == null) {
        return;
      }
      if (System.nanoTime() > deadline) {
        markFailed.run();
        throw new IllegalStateException(
            "Consul cluster "
                + cluster.addressBlock()
                + ".* not ready after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + ": "
                + last
                + NodeProcesses.logTails(cluster.nodes()));
      }
      sleep(POLL_MILLIS);
    }
  }

  /** The current raft leader, asked from a running server. */
  TestConsulNode leader() {
    IOException last = null;
    for (TestConsulNode s : runningServers()) {
      try {
        String leader = http.leaderOf(s);
        if (leader.isEmpty()) {
          continue;
        }
        TestConsulNode n = serverByRaftAddress(leader);
        if (n != null) {
          return n;
        }
        throw new IllegalStateException("leader " + leader + " is not a server of this cluster");
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException(
        "no leader known to any running server of "
            + cluster
            + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
  }

  /**
   * Null when a leader is elected and every running server is a raft peer and knows that leader.
   */
  String leaderProblem() {
    List<TestConsulNode> running = runningServers();
    if (running.isEmpty()) {
      return "no server is running";
    }
    String leader = null;
    for (TestConsulNode s : running) {
      String l;
      try {
        l = http.leaderOf(s);
      } catch (IOException e) {
        return s.name() + ": " + e.getMessage();
      }
      if (l.isEmpty()) {
        return s.name() + " knows no leader";
      }
      if (leader != null && !leader.equals(l)) {
        return "servers disagree on the leader (" + leader + " vs " + l + ")";
      }
      leader = l;
    }
    TestConsulNode leaderNode = serverByRaftAddress(leader);
    if (leaderNode == null) {
      return "leader " + leader + " is not a server of this cluster";
    }
    if (!leaderNode.isRunning()) {
      return "leader " + leader + " is not running";
    }
    try {
      List<String> peers = texts(http.getJson(leaderNode, "/v1/status/peers"));
      for (TestConsulNode s : running) {
        if (!peers.contains(s.address() + ":" + TestConsulCluster.SERVER_PORT)) {
          return s.name() + " is not a raft peer yet (peers " + peers + ")";
        }
      }
      if (!aclBlind) {
        // A consistent read proves the leader serves requests; the names prove it reconciled
        // members.
        Set<String> names = new HashSet<>();
        for (JsonNode node : http.getJson(leaderNode, "/v1/catalog/nodes?consistent")) {
          names.add(node.path("Node").asText());
        }
        for (TestConsulNode s : running) {
          if (!names.contains(consulNodeName(s))) {
            return s.name() + " not in the catalog yet";
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "leader " + leaderNode.name() + ": " + e.getMessage();
    }
    return null;
  }

  /** Null when {@code node} is running, alive in the leader's member list and knows the leader. */
  String joinedProblem(TestConsulNode node) {
    String lp = leaderProblem();
    if (lp != null) {
      return lp;
    }
    if (!node.isRunning()) {
      return node.name() + " is not running";
    }
    try {
      if (http.leaderOf(node).isEmpty()) {
        return node.name() + " knows no leader";
      }
      if (aclBlind) {
        return null;
      }
      TestConsulNode srv = firstRunningServer();
      for (JsonNode m : http.getJson(srv, "/v1/agent/members")) {
        if (consulNodeName(node).equals(m.path("Name").asText(null))) {
          JsonNode status = m.get("Status");
          return status != null && status.isIntegralNumber() && status.asLong() == 1
              ? null
              : node.name() + " member status " + status;
        }
      }
      return node.name() + " not in " + srv.name() + "'s member list";
    } catch (IOException | RuntimeException e) {
      return node.name() + ": " + e.getMessage();
    }
  }

  List<TestConsulNode> runningServers() {
    return cluster.servers().stream()
        .filter(TestConsulNode::isRunning)
        .collect(Collectors.toList());
  }

  TestConsulNode firstRunningServer() {
    for (TestConsulNode s : cluster.servers()) {
      if (s.isRunning()) {
        return s;
      }
    }
    throw new IllegalStateException("no server of " + cluster + " is running");
  }

  /** The node's name in Consul: its own, unless a custom config chose another. */
  private String consulNodeName(TestConsulNode n) throws IOException {
    if (!customConfigs) {
      return n.name();
    }
    return http.getJson(n, "/v1/agent/self").path("Config").path("NodeName").asText();
  }

  private TestConsulNode serverByRaftAddress(String raftAddress) {
    String host =
        raftAddress.contains(":")
            ? raftAddress.substring(0, raftAddress.lastIndexOf(':'))
            : raftAddress;
    for (TestConsulNode s : cluster.servers()) {
      if (s.address().equals(host)) {
        return s;
      }
    }
    return null;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    for (JsonNode e : array) {
      texts.add(e.asText());
    }
    return texts;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for consul", e);
    }
  }
}
