package dev.bellhop.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Watches the Consul servers every 100 ms as an operator's user would, through Consul's API: which
 * servers answer, which one leads, which are raft voters; and which server pods were replaced, in
 * order. Reads the pods (their IPs and uids) once a second.
 */
final class RaftSampler implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long PERIOD_MS = 100;

  private final Supplier<List<Pod>> servers;
  private final String token;
  private final Thread thread;
  private volatile boolean running = true;

  private final Map<String, String> uidByName = new HashMap<>();
  private final Map<String, String> nameByIp = new HashMap<>();
  private final List<String> restarts = new ArrayList<>();
  private String leader;
  private int samples;
  private int minLiveVoters = Integer.MAX_VALUE;
  private long leaderlessSince = -1;
  private long maxLeaderlessMs;

  RaftSampler(Supplier<List<Pod>> servers, String managementToken) {
    this.servers = servers;
    this.token = managementToken;
    refreshPods();
    thread = new Thread(this::run, "raft-sampler");
    thread.start();
  }

  private void run() {
    long lastRefresh = System.nanoTime();
    while (running) {
      long start = System.nanoTime();
      if (start - lastRefresh > 1_000_000_000L) {
        refreshPods();
        lastRefresh = start;
      }
      sample();
      long sleep = PERIOD_MS - (System.nanoTime() - start) / 1_000_000;
      if (sleep > 0) {
        try {
          Thread.sleep(sleep); // the sampling period itself, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private synchronized void refreshPods() {
    for (Pod p : servers.get()) {
      String name = p.getMetadata().getName();
      String uid = p.getMetadata().getUid();
      String was = uidByName.put(name, uid);
      if (was != null && !was.equals(uid)) {
        restarts.add(name);
      }
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        nameByIp.put(p.getStatus().getPodIP(), name);
      }
    }
  }

  private void sample() {
    Set<String> live = new HashSet<>();
    String leaderIp = null;
    Set<String> ips;
    synchronized (this) {
      ips = new HashSet<>(nameByIp.keySet());
    }
    for (String ip : ips) {
      try {
        HttpResponse<String> r = ConsulAdmin.consul("GET", ip, "/v1/status/leader", null, null);
        if (r.statusCode() == 200) {
          live.add(ip);
          String l = JSON.readTree(r.body()).asText();
          if (!l.isEmpty()) {
            leaderIp = l.substring(0, l.lastIndexOf(':'));
          }
        }
      } catch (Exception e) {
        // down: not live
      }
    }
    // Every server holds the raft configuration: read it from any live one (stale), so that it is
    // known while the leader is the server being restarted. Unknown (no server answers): no sample.
    Set<String> voters = null;
    for (String ip : live) {
      try {
        HttpResponse<String> r =
            ConsulAdmin.consul("GET", ip, "/v1/operator/raft/configuration?stale", null, token);
        if (r.statusCode() == 200) {
          voters = new HashSet<>();
          for (JsonNode s : JSON.readTree(r.body()).path("Servers")) {
            String address = s.path("Address").asText();
            if (s.path("Voter").asBoolean()) {
              voters.add(address.substring(0, address.lastIndexOf(':')));
            }
          }
          break;
        }
      } catch (Exception e) {
        // went away between the two reads: try the next
      }
    }
    long now = System.nanoTime();
    synchronized (this) {
      samples++;
      leader = leaderIp == null ? null : nameByIp.get(leaderIp);
      if (voters != null) {
        voters.retainAll(live);
        minLiveVoters = Math.min(minLiveVoters, voters.size());
      }
      if (leaderIp == null) {
        if (leaderlessSince < 0) {
          leaderlessSince = now;
        }
        maxLeaderlessMs = Math.max(maxLeaderlessMs, (now - leaderlessSince) / 1_000_000);
      } else {
        leaderlessSince = -1;
      }
    }
  }

  synchronized String leader() {
    return leader;
  }

  /** The server pods replaced while sampling, in order (seen within a second of it). */
  synchronized List<String> restarts() {
    return List.copyOf(restarts);
  }

  synchronized int samples() {
    return samples;
  }

  synchronized int minLiveVoters() {
    return minLiveVoters;
  }

  synchronized long maxLeaderlessMs() {
    return maxLeaderlessMs;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    refreshPods();
  }
}
