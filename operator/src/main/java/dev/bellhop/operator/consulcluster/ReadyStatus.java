package dev.bellhop.operator.consulcluster;

import java.util.List;

/**
 * Aggregates what each part of a ConsulCluster reports into the {@code Ready} condition: the first
 * thing missing, in the order a cluster comes up, is the reason; ready when nothing is.
 *
 * @param reason {@code ClusterReady} or what is missing: {@code Conflict}, {@code RolloutStalled},
 *     {@code SecretMissing}, {@code ServersNotReady}, {@code NoLeader}, {@code ACLBootstrapFailed},
 *     {@code ACLPending}
 */
record ReadyStatus(boolean ready, String reason, String message) {

  /**
   * @param conflict an object of ours that exists but that the cluster does not own, or null
   * @param secretProblems what the pods' Secrets lack
   * @param rolloutStalled why a server rollout halted, or null
   * @param acl the ACL setup's outcome, null when ACLs are off or not attempted (no leader)
   */
  static ReadyStatus of(
      ClusterSettings s,
      String conflict,
      List<String> secretProblems,
      String rolloutStalled,
      int readyServers,
      RaftView raft,
      ConsulAcls.Result acl) {
    if (conflict != null) {
      return no("Conflict", conflict);
    }
    if (rolloutStalled != null) {
      return no("RolloutStalled", rolloutStalled);
    }
    if (!secretProblems.isEmpty()) {
      return no("SecretMissing", String.join("; ", secretProblems));
    }
    if (readyServers < s.servers()) {
      return no("ServersNotReady", readyServers + " of " + s.servers() + " server(s) ready");
    }
    if (raft.leader().isEmpty()) {
      return no(
          "NoLeader",
          "no raft leader known to the servers at their pod IPs (last: " + raft.lastError() + ")");
    }
    if (s.acl() && acl != null && acl.problem() != null) {
      // Failed: needs the user (a lost management token); pending: Consul not ready for it yet.
      return no(acl.permanent() ? "ACLBootstrapFailed" : "ACLPending", acl.problem());
    }
    return new ReadyStatus(
        true,
        "ClusterReady",
        readyServers + " of " + s.servers() + " server(s) ready, leader " + raft.leader());
  }

  private static ReadyStatus no(String reason, String message) {
    return new ReadyStatus(false, reason, message);
  }
}
