package dev.bellhop.operator.consulcluster;

import dev.bellhop.testkit.consul.TestConsulCluster;
import dev.bellhop.testkit.consul.TestConsulNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ServerRollout} driving real Consul server processes, as the reconciler drives pods: a
 * restart is what a pod deletion is (SIGTERM, then the process starts again with the wanted
 * revision's arguments). With a {@link Sampler} of quorum, leader and writes meanwhile. Shared by
 * {@code ServerRolloutIT} and the day-two benchmark (no test framework in here).
 */
final class ProcessRollout {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  /** The revision each server process was launched with, and the one wanted. */
  final Map<String, Integer> launched = new ConcurrentHashMap<>();

  volatile int wanted = 1;

  /** Servers whose next launch fails (a bad configuration). */
  final Set<String> broken = ConcurrentHashMap.newKeySet();

  final TestConsulCluster consul;

  ProcessRollout(int servers) {
    consul =
        TestConsulCluster.builder()
            .servers(servers)
            .nodeArgs(
                n -> {
                  launched.put(n.name(), wanted);
                  return broken.contains(n.name())
                      ? List.of("-config-file=/nonexistent/bellhop-broken.json")
                      : List.of("-node-meta=revision:" + wanted);
                })
            .start();
  }

  // ------------------------------------------------------------------ the driver

  record Restart(String server, boolean wasLeader) {}

  record Roll(List<Restart> restarts, ServerRollout.Step last, Instant restartedAt) {}

  /** What the reconciler does, against processes: decide every 100 ms, restart when told. */
  Roll roll(Duration pace, Duration stallAfter, Duration limit) throws Exception {
    List<Restart> restarts = new ArrayList<>();
    ServerRollout.InFlight inFlight = ServerRollout.InFlight.NONE;
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      AutopilotHealth health = health(consul, null);
      ServerRollout.Step step =
          ServerRollout.next(servers(), health, inFlight, pace, stallAfter, Instant.now());
      if (step instanceof ServerRollout.Done || step instanceof ServerRollout.Stalled) {
        return new Roll(restarts, step, inFlight.restartedAt());
      }
      if (step instanceof ServerRollout.Restart r) {
        restarts.add(new Restart(r.server(), r.server().equals(health.leader())));
        inFlight = new ServerRollout.InFlight(r.server(), Instant.now());
        TestConsulNode node = node(r.server());
        consul.stop(node);
        consul.startNode(node);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the roll did not finish in " + limit + " after " + restarts);
  }

  ServerRollout.Step decide(ServerRollout.InFlight inFlight, Duration pace, Duration stallAfter) {
    return ServerRollout.next(
        servers(), health(consul, null), inFlight, pace, stallAfter, Instant.now());
  }

  List<ServerRollout.Server> servers() {
    return consul.servers().stream()
        .map(
            s ->
                new ServerRollout.Server(
                    s.name(), s.isRunning() && launched.getOrDefault(s.name(), 0) == wanted))
        .toList();
  }

  TestConsulNode node(String name) {
    return consul.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Autopilot health from any running server (429 means unhealthy, the body is the same), or null.
   */
  /**
   * @param token with ACLs, one with {@code operator:read} (the management token); else null
   */
  static AutopilotHealth health(TestConsulCluster consul, String token) {
    for (TestConsulNode s : consul.servers()) {
      if (!s.isRunning()) {
        continue;
      }
      try {
        var r = get(s.httpUrl() + "/v1/operator/autopilot/health", token);
        var c = get(s.httpUrl() + "/v1/operator/raft/configuration", token);
        if ((r.statusCode() == 200 || r.statusCode() == 429) && c.statusCode() == 200) {
          return AutopilotHealth.parse(r.body()).withRaftVoters(c.body());
        }
      } catch (IOException e) {
        // the next server
      }
    }
    return null;
  }

  static HttpResponse<String> get(String url, String token) throws IOException {
    return send(request(url, token).GET().build());
  }

  private static HttpRequest.Builder request(String url, String token) {
    var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
    return token == null ? request : request.header("X-Consul-Token", token);
  }

  static HttpResponse<String> send(HttpRequest request) throws IOException {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * Every 100 ms: voters in the raft configuration whose process runs, and whether a leader is
   * known; meanwhile one registration every 50 ms, each retried on the other servers for 3 s as
   * Bellhop's sync does (a write that no server took in that time failed).
   */
  static final class Sampler implements AutoCloseable {
    final AtomicInteger minLiveVoters = new AtomicInteger(Integer.MAX_VALUE);

    /**
     * Live voters minus the quorum of the configuration's voters, at its lowest (negative: quorum
     * lost).
     */
    final AtomicInteger minQuorumMargin = new AtomicInteger(Integer.MAX_VALUE);

    /**
     * The raft configuration and the processes at the lowest count of live voters (for a failure
     * message).
     */
    volatile String atMinimum;

    final AtomicLong longestLeaderlessMs = new AtomicLong();

    /** Sum of the sampled intervals without a leader. */
    final AtomicLong leaderlessMsTotal = new AtomicLong();

    /**
     * Per registration: ms from its first attempt to the server that took it (retries included).
     */
    final List<Double> latenciesMs = Collections.synchronizedList(new ArrayList<>());

    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger failedWrites = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final TestConsulCluster consul;
    private final String token;
    private final Thread sampler;
    private final Thread writer;

    /**
     * @param token with ACLs, one that may read raft's state and register (the management token);
     *     else null
     */
    Sampler(TestConsulCluster consul, String token) {
      this.consul = consul;
      this.token = token;
      sampler = daemon("rollout-sampler", this::sample);
      writer = daemon("rollout-writer", this::write);
    }

    private void sample() {
      long leaderlessSince = -1;
      long lastSample = System.nanoTime();
      while (running.get()) {
        long now = System.nanoTime();
        String leader = "";
        int liveVoters = -1;
        for (TestConsulNode s : consul.servers()) {
          if (!s.isRunning()) {
            continue;
          }
          try {
            var l = get(s.httpUrl() + "/v1/status/leader", token);
            if (l.statusCode() == 200 && l.body().length() > 2) {
              leader = l.body();
              // From the leader (no ?stale): a follower just restarted may still replay an old
              // configuration.
              var conf = get(s.httpUrl() + "/v1/operator/raft/configuration", token);
              if (conf.statusCode() == 200) {
                liveVoters = liveVoters(conf.body());
              }
              break;
            }
          } catch (IOException e) {
            // the next server
          }
        }
        if (liveVoters >= 0) {
          minLiveVoters.accumulateAndGet(liveVoters, Math::min);
        }
        if (leader.isEmpty()) {
          if (leaderlessSince >= 0) {
            leaderlessMsTotal.addAndGet((now - lastSample) / 1_000_000);
          }
          leaderlessSince = leaderlessSince < 0 ? now : leaderlessSince;
          longestLeaderlessMs.accumulateAndGet((now - leaderlessSince) / 1_000_000, Math::max);
        } else {
          leaderlessSince = -1;
        }
        lastSample = now;
        sleep(100);
      }
    }

    private int liveVoters(String configuration) throws IOException {
      var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(configuration);
      int voters = 0;
      for (var server : root.path("Servers")) {
        voters += server.path("Voter").asBoolean() ? 1 : 0;
      }
      int live = 0;
      for (var server : root.path("Servers")) {
        // By raft address: node names are the test's or, rendered from a ConsulCluster, the pods'.
        String address = server.path("Address").asText();
        String host = address.substring(0, address.lastIndexOf(':'));
        if (server.path("Voter").asBoolean()
            && consul.servers().stream().anyMatch(s -> s.address().equals(host) && s.isRunning())) {
          live++;
        }
      }
      minQuorumMargin.accumulateAndGet(live - (voters / 2 + 1), Math::min);
      if (live < minLiveVoters.get()) {
        StringBuilder running = new StringBuilder();
        consul
            .servers()
            .forEach(s -> running.append(s.address()).append(s.isRunning() ? " up " : " down "));
        atMinimum = System.currentTimeMillis() + " " + configuration + " running: " + running;
      }
      return live;
    }

    private void write() {
      int i = 0;
      while (running.get()) {
        String body =
            "{\"Node\":\"bellhop-rollout\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"svc-"
                + (i % 50)
                + "\",\"Service\":\"rollout\",\"Port\":"
                + (1000 + i)
                + "}}";
        i++;
        long started = System.nanoTime();
        long until = started + 3_000_000_000L;
        boolean done = false;
        while (!done && System.nanoTime() < until) {
          for (TestConsulNode s : consul.servers()) {
            try {
              var r =
                  send(
                      request(s.httpUrl() + "/v1/catalog/register", token)
                          .PUT(HttpRequest.BodyPublishers.ofString(body))
                          .build());
              if (r.statusCode() == 200) {
                done = true;
                break;
              }
            } catch (IOException e) {
              // the next server
            }
          }
          if (!done) {
            sleep(50);
          }
        }
        writes.incrementAndGet();
        if (done) {
          latenciesMs.add((System.nanoTime() - started) / 1e6);
        } else {
          failedWrites.incrementAndGet();
        }
        sleep(50);
      }
    }

    private static Thread daemon(String name, Runnable body) {
      Thread t = new Thread(body, name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (running.getAndSet(false)) {
        sampler.join(5_000);
        writer.join(10_000);
      }
    }
  }
}
