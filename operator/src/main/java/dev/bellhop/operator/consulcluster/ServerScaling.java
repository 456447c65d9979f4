package dev.bellhop.operator.consulcluster;

/**
 * The server count to apply now. Scaling up applies at once: new servers join as non-voters and
 * autopilot promotes them once stable, so quorum never depends on them early. Scaling down goes one
 * server at a time, highest ordinal first: each step waits until every remaining server is a
 * healthy voter and the server removed last has left the raft configuration (its pod's SIGTERM
 * makes it leave, {@code leave_on_terminate}); a server that is gone but still a peer is removed by
 * autopilot's {@code cleanup_dead_servers}. A scale-down while a server that would stay is not a
 * healthy voter is refused: removing servers then could cost the quorum.
 *
 * @param replicas the StatefulSet's replica count to write
 * @param refused why a scale-down is refused, else null
 * @param progress what a scale-down waits for, else null
 */
record ServerScaling(int replicas, String refused, String progress) {

  /**
   * @param current the StatefulSet's replicas now, null before it exists
   * @param health autopilot's view, null when no leader answers
   */
  static ServerScaling plan(ClusterSettings s, Integer current, AutopilotHealth health) {
    int wanted = s.servers();
    if (current == null || wanted >= current) {
      return new ServerScaling(wanted, null, null);
    }
    if (health == null) {
      return new ServerScaling(current, null, "scale-down to " + wanted + " waits for a leader");
    }
    for (int i = 0; i < wanted; i++) {
      var server = health.server(s.serverName() + "-" + i);
      if (server == null || !server.voter() || !server.healthy()) {
        return new ServerScaling(
            current,
            "scale-down from "
                + current
                + " to "
                + wanted
                + " refused: "
                + s.serverName()
                + "-"
                + i
                + " would stay and is not a healthy voter (failure tolerance now "
                + health.failureTolerance()
                + ")",
            null);
      }
    }
    for (var server : health.servers()) {
      int ordinal = ordinal(s, server.name());
      if (ordinal >= current) {
        return new ServerScaling(
            current, null, "waiting for " + server.name() + " to leave the raft configuration");
      }
    }
    return new ServerScaling(current - 1, null, "removing " + s.serverName() + "-" + (current - 1));
  }

  private static int ordinal(ClusterSettings s, String name) {
    String prefix = s.serverName() + "-";
    if (!name.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The {@code Progressing} condition: a rollout first, else a scale-down refused or under way,
   * else the rollout's "up to date".
   */
  Progressing progressing(ServerRoller.Outcome rollout) {
    if (rollout.progressing() || (refused == null && progress == null)) {
      return new Progressing(rollout.progressing(), rollout.reason(), rollout.message());
    }
    return refused != null
        ? new Progressing(false, "ScaleDownRefused", refused)
        : new Progressing(true, "ScalingDown", progress);
  }

  record Progressing(boolean status, String reason, String message) {}
}
