package dev.bellhop.operator.consulcluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Decides the next step of a server rollout: which server to restart now, if any. Stateless apart
 * from the step in flight (the server last restarted and when), so the reconciler keeps that in the
 * ConsulCluster's status and a test can drive real Consul processes with the very same rule.
 *
 * <p>A server is restarted only when the whole cluster is healthy by autopilot's account: every
 * wanted server a healthy voter (so the one restarted last is back and caught up), the failure
 * tolerance at its full {@code (n-1)/2}, and the last restart's server stable for at least the
 * pace. The leader goes last (each leader restart costs an election). A server restarted but not
 * healthy within {@code stallAfter} stops the rollout: nothing else is restarted, so at most one
 * server is ever down because of Bellhop.
 */
final class ServerRollout {
  /**
   * Autopilot refreshes its health view every 2 s: until twice that and a margin have passed since
   * a restart, a "healthy voter" may be the server's state from before it. Measured: trusting it
   * earlier restarted the next server while the last one was still a non-voter (1 live voter).
   */
  static final Duration HEALTH_FRESH = Duration.ofSeconds(5);

  private ServerRollout() {}

  /** A server pod: its name (= Consul node name) and whether it runs the wanted revision. */
  record Server(String name, boolean updated) {}

  /** The step in flight: the server restarted last and when, or nulls. */
  record InFlight(String server, Instant restartedAt) {
    static final InFlight NONE = new InFlight(null, null);
  }

  sealed interface Step permits Done, Wait, Restart, Stalled {}

  /** Every server runs the wanted revision and the cluster is healthy. */
  record Done() implements Step {}

  record Wait(String why) implements Step {}

  record Restart(String server) implements Step {}

  record Stalled(String server, String why) implements Step {}

  /**
   * @param health autopilot's view, null when no leader answers it (an election, or quorum lost)
   */
  static Step next(
      List<Server> servers,
      AutopilotHealth health,
      InFlight inFlight,
      Duration pace,
      Duration stallAfter,
      Instant now) {
    String unhealthy = unhealthy(servers, health);
    if (inFlight.server() != null) {
      // Back means: running the wanted revision, and the whole cluster healthy again with it.
      boolean updated =
          servers.stream().anyMatch(s -> s.name().equals(inFlight.server()) && s.updated());
      Duration waited = Duration.between(inFlight.restartedAt(), now);
      boolean fresh = waited.compareTo(HEALTH_FRESH) >= 0;
      if (!updated || unhealthy != null || !fresh) {
        String why =
            !updated
                ? inFlight.server() + " does not run the new revision yet"
                : unhealthy != null
                    ? unhealthy
                    : "autopilot has not looked at it since its restart";
        if (waited.compareTo(stallAfter) > 0) {
          return new Stalled(
              inFlight.server(),
              inFlight.server()
                  + " was restarted "
                  + waited.toSeconds()
                  + " s ago and is not back: "
                  + why);
        }
        return new Wait("waiting for " + inFlight.server() + ": " + why);
      }
    }
    List<Server> outdated = servers.stream().filter(s -> !s.updated()).toList();
    if (unhealthy != null) {
      return new Wait(outdated.isEmpty() ? unhealthy : "not restarting while " + unhealthy);
    }
    if (outdated.isEmpty()) {
      return new Done();
    }
    if (inFlight.server() != null) {
      // The pace also lets autopilot (which checks every 2 s) see the restarted server for itself.
      var last = health.server(inFlight.server());
      Instant since =
          last.stableSince() != null && last.stableSince().isAfter(inFlight.restartedAt())
              ? last.stableSince()
              : inFlight.restartedAt();
      if (since.plus(pace).isAfter(now)) {
        return new Wait(
            inFlight.server()
                + " is back; the next server after the pace of "
                + pace.toSeconds()
                + " s");
      }
    }
    String leader = health.leader();
    // Followers first, highest ordinal first (as a StatefulSet rolls), the leader last.
    return new Restart(
        outdated.stream()
            .sorted(
                Comparator.comparing((Server s) -> s.name().equals(leader))
                    .thenComparing(Server::name, Comparator.reverseOrder()))
            .findFirst()
            .orElseThrow()
            .name());
  }

  /** Why the cluster is not fit for a restart, or null when it is. */
  static String unhealthy(List<Server> servers, AutopilotHealth health) {
    if (health == null) {
      return "no leader answers autopilot health";
    }
    int wanted = servers.size();
    for (Server s : servers) {
      var h = health.server(s.name());
      if (h == null) {
        return s.name() + " is not a raft server";
      }
      if (!h.voter() || !h.healthy()) {
        return s.name() + " is not a healthy voter yet";
      }
    }
    int tolerance = (wanted - 1) / 2;
    if (health.failureTolerance() < tolerance) {
      return "failure tolerance " + health.failureTolerance() + " < " + tolerance;
    }
    return null;
  }
}
