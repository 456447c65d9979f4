package dev.bellhop.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.LocalCluster;
import dev.bellhop.localcluster.Pods;
import dev.bellhop.localcluster.clients.Clients;
import dev.bellhop.localcluster.clients.HelmInstall;
import dev.bellhop.testkit.consul.Dig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole hotel system in the local cluster, installed as {@code make demo} installs it ({@code
 * kubectl apply -f crds/}, {@code helm install} of the chart's defaults): the operator (two
 * replicas, leader election), a 3-server Consul it provisions, the five services and the gateway
 * behind the Ingress. Started once; each test leaves it serving. Every assertion reads what a user
 * would: the gateway over HTTP, Consul's HTTP API and its DNS ({@code dig}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotelSystemE2EIT {
  private static final String NS = "bellhop";
  private static final String RATES =
      "{\"inDate\":\"2026-12-01\",\"outDate\":\"2026-12-03\",\"lat\":37.7867,\"lon\":-122.4112}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static LocalCluster cluster;
  private static KubernetesClient client;
  private static String gateway;
  private static String token;
  private static ConsulAdmin admin;

  @BeforeAll
  static void startHotelSystem() throws Exception {
    Path root = repoRoot();
    LocalCluster.Settings settings =
        new LocalCluster.Settings(
            root, root.resolve("e2e/target/local-cluster"), "127.0.0.1", 0, "127.0.0.1", 0);
    cluster = LocalCluster.start(settings);
    client = cluster.client();
    gateway = cluster.ingressUrl();
    // As make demo installs it: kubectl apply -f crds/, helm install with the chart's defaults.
    Clients clients = new Clients(root, settings.kubeconfig(), settings.stateDir());
    admin = new ConsulAdmin(clients, settings.stateDir(), NS);
    HelmInstall.install(clients);
    await("every HotelService Ready")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              var all = hotelServices();
              return all.size() == 5 && all.stream().allMatch(HotelSystemE2EIT::ready);
            });
    await("a token from Auth.Login through the gateway")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              HttpResponse<String> r =
                  post(
                      "/auth/login", "{\"username\":\"demo\",\"password\":\"bellhop-demo\"}", null);
              token = r.statusCode() == 200 ? JSON.readTree(r.body()).get("token").asText() : null;
              return token != null;
            });
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * The hotel resolves its upstreams as a pod does, through the agent Service of its node
   * (internalTrafficPolicy Local): every agent must answer, directly and through the Service. A
   * failure names the hop that failed, since CI shows only the failure's message.
   */
  @Test
  @Order(1)
  void theNodesAgentsAnswerTheHotelsDns() {
    String service = cluster.clusterIp(NS, "consul-agent");
    try {
      await("auth in DNS through the agent Service " + service)
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(
              () ->
                  agents().size() == 3
                      && agents().stream()
                          .allMatch(a -> Pods.ready(a) && !digAt(ip(a), "auth").isEmpty())
                      && !digAt(service, "auth").isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("agent DNS: " + agentDnsReport(service), e);
    }
  }

  /**
   * Issue #16: TLS is on by default with the ConsulCluster's own CA, and each role presents its own
   * certificate: every server {@code server.dc1.consul}, every agent a client certificate that
   * cannot pass {@code verify_server_hostname} (before, the servers' certificate and key were on
   * every node). Read from the pods' HTTPS ports, trusting only the CA in {@code consul-tls}.
   */
  @Test
  @Order(1)
  void eachConsulRolePresentsItsOwnCertificateFromTheClustersCa() throws Exception {
    String ca = admin.secret("consul-tls", "ca\\.crt");
    for (Pod server : pods("consul-server")) {
      assertThat(ConsulAdmin.certificateNames(ip(server), ca))
          .as(server.getMetadata().getName())
          .contains("server.dc1.consul");
    }
    for (Pod agent : agents()) {
      assertThat(ConsulAdmin.certificateNames(ip(agent), ca))
          .as(agent.getMetadata().getName())
          .contains("client.dc1.consul")
          .doesNotContain("server.dc1.consul");
    }
  }

  /**
   * Issue #16: every server and agent has a token of its own node's identity only. Each node's
   * coordinate reaches the catalog (an agent writes it with its token, so a missing or refused
   * token leaves it out), and one agent's token cannot register another node (the shared token of
   * before, {@code node_prefix "" write}, could).
   */
  @Test
  @Order(1)
  void eachConsulNodeWritesWithATokenForItselfOnly() throws Exception {
    List<String> nodes = new ArrayList<>();
    pods("consul-server").forEach(p -> nodes.add(p.getMetadata().getName()));
    agents().forEach(a -> nodes.add(a.getSpec().getNodeName()));
    assertThat(nodes).hasSize(6);
    await("a coordinate from every node")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<String> seen = new ArrayList<>();
              consul("/v1/coordinate/nodes").forEach(c -> seen.add(c.path("Node").asText()));
              assertThat(seen).containsAll(nodes);
            });
    String agentNode = agents().get(0).getSpec().getNodeName();
    String token = admin.secret("consul-agent-tokens", agentNode);
    var intruder =
        ConsulAdmin.consul(
            "PUT",
            anyReadyServer(),
            "/v1/catalog/register",
            "{\"Node\":\"" + nodes.get(0) + "\",\"Address\":\"10.9.9.9\"}",
            token);
    assertThat(intruder.statusCode())
        .as("node %s's token writing node %s: %s", agentNode, nodes.get(0), intruder.body())
        .isEqualTo(403);
  }

  @Test
  @Order(2)
  void ratesThroughTheIngressAndGateway() throws Exception {
    HttpResponse<String> r = post("/hotel/rates", RATES, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("hotels")).isNotEmpty();
    assertThat(body.get("ratePlans")).isNotEmpty();
    assertThat(post("/hotel/rates", RATES, null).statusCode()).as("no token").isEqualTo(403);
    // Only the HotelServices that opted in (spec.expose: auth and hotel) are published.
    assertThat(post("/geo/nearby", "{\"lat\":37.7867,\"lon\":-122.4112}", null).statusCode())
        .as("geo is not exposed")
        .isEqualTo(404);
    // ACLs are on by default: a fake auth instance, written without a token, is refused.
    String fake =
        "{\"Node\":\"evil\",\"Address\":\"127.0.0.1\",\"Service\":{\"Service\":\"auth\","
            + "\"Port\":9999,\"Meta\":{\"managed-by\":\"bellhop\"}}}";
    HttpResponse<String> write =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + anyReadyServer() + ":8500/v1/catalog/register"))
                .PUT(HttpRequest.BodyPublishers.ofString(fake))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(write.statusCode()).as(write.body()).isEqualTo(403);
    // Every hotel service is in Consul with a passing check per ready pod, and in its DNS.
    for (String service : List.of("auth", "geo", "profile", "rate", "hotel")) {
      long pods = pods(service).stream().filter(Pods::ready).count();
      assertThat(passing(service)).as(service).hasSize((int) pods);
    }
    assertThat(dig("geo")).hasSize(2);
    // Scheduled as a scheduler would: the servers' anti-affinity, replicas spread over the nodes.
    assertThat(pods("consul-server"))
        .extracting(p -> p.getSpec().getNodeName())
        .doesNotHaveDuplicates()
        .hasSize(3);
    assertThat(pods("geo"))
        .extracting(p -> p.getSpec().getNodeName())
        .doesNotHaveDuplicates()
        .hasSize(2);
  }

  @Test
  @Order(3)
  void scaledOutInstancesGetTraffic() throws Exception {
    Set<String> before = Set.copyOf(passing("geo"));
    scale("geo", 4);
    await("4 geo instances passing in Consul and in its DNS")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> passing("geo").size() == 4 && dig("geo").size() == 4);
    List<String> added = passing("geo").stream().filter(a -> !before.contains(a)).toList();
    assertThat(added).hasSize(2);
    Map<String, Double> served = new HashMap<>();
    for (String a : added) {
      served.put(a, geoRequestsServed(a));
    }
    // Geo is not published (spec.expose): Hotel.Rates reaches it, through DNS and the agents.
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> r = post("/hotel/rates", RATES, token);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    for (String a : added) {
      assertThat(geoRequestsServed(a))
          .as("Geo.Nearby served by new instance %s", a)
          .isGreaterThan(served.get(a));
    }
  }

  @Test
  @Order(4)
  void deletingAPodUnderLoadFailsNoRequest() throws Exception {
    try (Load load = new Load()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() > 20);
      Pod victim = pods("hotel").get(0);
      String address = victim.getStatus().getPodIP() + ":8085";
      ProcessHandle process = cluster.podProcess(victim).orElseThrow();
      client.pods().resource(victim).delete();
      await("the deleted pod leaves Consul")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(() -> !passing("hotel").contains(address));
      assertThat(process.isAlive()).as("deregistered before the process is stopped").isTrue();
      await("the pod leaves the API once its process stopped")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(
              () ->
                  client.pods().inNamespace(NS).withName(victim.getMetadata().getName()).get()
                      == null);
      assertThat(process.isAlive()).isFalse();
      await("its replacement serves")
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> passing("hotel").size() == 2);
      int okBefore = load.ok.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() > okBefore + 20);
      load.assertNoFailures();
    }
  }

  @Test
  @Order(5)
  void aKilledProcessTurnsCriticalAndComesBack() throws Exception {
    Pod victim = pods("geo").get(0);
    String address = victim.getStatus().getPodIP() + ":8082";
    int restarts = victim.getStatus().getContainerStatuses().get(0).getRestartCount();
    ProcessHandle process = cluster.podProcess(victim).orElseThrow();
    process.destroyForcibly();
    await("pod unready, its check critical, not passing in Consul or its DNS")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () ->
                !ready(victim)
                    && "critical".equals(checkStatus("geo", address))
                    && !passing("geo").contains(address));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = post("/hotel/rates", RATES, token);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    await("restarted: ready and passing again")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> ready(victim) && passing("geo").contains(address));
    Pod now = client.pods().resource(victim).get();
    assertThat(now.getStatus().getContainerStatuses().get(0).getRestartCount())
        .isEqualTo(restarts + 1);
    assertThat(cluster.podProcess(now)).get().isNotEqualTo(process);
  }

  @Test
  @Order(6)
  void killingTheConsulLeaderKeepsServingAndConverges() throws Exception {
    try (Load load = new Load()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() > 20);
      String leaderIp = consul("/v1/status/leader").asText().split(":")[0];
      Pod leader =
          pods("consul-server").stream()
              .filter(p -> leaderIp.equals(p.getStatus().getPodIP()))
              .findFirst()
              .orElseThrow();
      cluster.podProcess(leader).orElseThrow().destroyForcibly();
      await("a new leader")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () -> {
                String now = consulVia(otherServer(leaderIp), "/v1/status/leader").asText();
                return !now.isEmpty() && !now.startsWith(leaderIp + ":");
              });
      // Registrations converge through the new leader: a scale-down is reflected.
      scale("geo", 2);
      await("geo back to 2 instances")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> passing("geo").size() == 2);
      await("the old leader restarted and rejoined")
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(() -> ready(leader) && consul("/v1/status/peers").size() == 3);
      load.assertNoFailures();
    }
  }

  @Test
  @Order(7)
  void restartedOperatorConvergesWithoutWrites() throws Exception {
    Map<String, Long> before = modifyIndexes();
    List<String> servers = uids(pods("consul-server"));
    List<Pod> old = pods("bellhop-operator");
    assertThat(old).hasSize(2);
    old.forEach(p -> client.pods().resource(p).delete());
    await("two new operator pods ready")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              List<Pod> now = pods("bellhop-operator");
              return now.size() == 2
                  && now.stream().allMatch(Pods::ready)
                  && now.stream()
                      .noneMatch(
                          p ->
                              old.stream()
                                  .anyMatch(
                                      o ->
                                          o.getMetadata()
                                              .getUid()
                                              .equals(p.getMetadata().getUid())));
            });
    // The new leader has reconciled every HotelService once it has counted their syncs.
    await("the new leader synced every HotelService")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(() -> operatorMetric("bellhop_consul_syncs_total") >= 5);
    assertThat(operatorMetric("bellhop_consul_transactions_total"))
        .as("Consul transactions by the new leader")
        .isZero();
    assertThat(modifyIndexes()).as("every registration untouched").isEqualTo(before);
    // The new leader computes the servers' revision as the old one did (it once hashed labels in
    // Map.of's per-JVM order, and every operator restart rolled all the servers).
    assertThat(admin.field("consulcluster", "consul", ".status.rolloutServer")).isEmpty();
    assertThat(uids(pods("consul-server"))).as("no server restarted").isEqualTo(servers);
  }

  /**
   * Day two, issue #17: KV data, a user's ACL token and the registrations are snapshotted by {@code
   * spec.backup} (a Job in the operator's image writing to a claim, reported in status); geo then
   * scales out, and every server loses its data (what deleted PersistentVolumeClaims leave). The
   * cluster re-forms with the same management token, a ConsulRestore of a tampered copy fails its
   * checksum without touching Consul, and a ConsulRestore of the snapshot brings back the KV data
   * and the token, after which Consul's registrations are Kubernetes' again (geo's third instance
   * included, which the snapshot did not hold). Last: it leaves Consul restored, not untouched.
   */
  /**
   * Issue #17's rollout test, in the local cluster as installed: a change that restarts the servers
   * (their resources) rolls them one at a time under gateway load and HotelService churn. Sampled
   * every 100 ms: never fewer than 2 live voters, no stretch without a leader longer than an
   * election; no gateway request fails; the leader at the start is restarted last; geo's
   * registrations follow its scale changes throughout.
   */
  @Test
  @Order(8)
  void aServerRolloutUnderLoadAndChurnKeepsQuorumAndServing() throws Exception {
    String management = admin.secret("consul-acl-bootstrap", "token");
    int geo = passing("geo").size();
    try (Load load = new Load();
        RaftSampler raft = new RaftSampler(() -> pods("consul-server"), management)) {
      await("a leader sampled")
          .atMost(Duration.ofSeconds(10))
          .until(() -> raft.leader() != null && load.ok.get() > 5);
      String leaderAtStart = raft.leader();
      admin.kubectl(
          "patch",
          "consulcluster",
          "consul",
          "--type=merge",
          "-p",
          "{\"spec\":{\"rollout\":{\"pace\":\"2s\"},\"resources\":{\"requests\":"
              + "{\"cpu\":\"110m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"512Mi\"}}}}");
      int[] churn = {geo};
      await("3 servers rolled, the cluster Ready")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(2))
          .ignoreExceptions()
          .until(
              () -> {
                churn[0] = churn[0] == geo ? geo + 1 : geo; // a HotelService that keeps changing
                scale("geo", churn[0]);
                return raft.restarts().size() >= 3
                    && "3".equals(admin.field("consulcluster", "consul", ".status.updatedServers"))
                    && "True"
                        .equals(
                            admin.field(
                                "consulcluster",
                                "consul",
                                ".status.conditions[?(@.type==\"Ready\")].status"));
              });
      scale("geo", geo);
      await("geo's registrations follow its last scale")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> passing("geo").size() == geo);
      load.assertNoFailures();
      assertThat(raft.restarts())
          .as("each server restarted once")
          .hasSize(3)
          .doesNotHaveDuplicates();
      assertThat(raft.restarts()).last().as("the leader last").isEqualTo(leaderAtStart);
      assertThat(raft.minLiveVoters())
          .as("live voters, %d samples", raft.samples())
          .isGreaterThanOrEqualTo(2);
      assertThat(raft.maxLeaderlessMs())
          .as("longest time without a leader")
          .isLessThanOrEqualTo(5_000);
    }
  }

  @Test
  @Order(9)
  void aSnapshotRestoresKvTokensAndRegistrationsAfterTheServersLoseTheirData() throws Exception {
    String management = admin.secret("consul-acl-bootstrap", "token");
    String server = anyReadyServer();
    String userToken = java.util.UUID.randomUUID().toString();
    ConsulAdmin.json(
        ConsulAdmin.consul("PUT", server, "/v1/kv/bellhop-e2e/greeting", "hello", management));
    ConsulAdmin.json(
        ConsulAdmin.consul(
            "PUT",
            server,
            "/v1/acl/token",
            "{\"SecretID\":\"" + userToken + "\",\"Description\":\"e2e user\"}",
            management));
    int geoBefore = passing("geo").size();

    admin.apply(
        """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: consul-backups}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        """);
    admin.kubectl(
        "patch",
        "consulcluster",
        "consul",
        "--type=merge",
        "-p",
        "{\"spec\":{\"backup\":{\"schedule\":\"@daily\",\"retain\":3,\"claim\":\"consul-backups\"}}}");
    String file =
        await("the first snapshot listed in status")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> admin.field("consulcluster", "consul", ".status.snapshots[0].file"),
                f -> !f.isBlank());
    String sha256 = admin.field("consulcluster", "consul", ".status.snapshots[0].sha256");
    Path snapshot = admin.claim("consul-backups").resolve(file);
    assertThat(Files.readString(snapshot.resolveSibling(file + ".sha256")))
        .startsWith(sha256 + "  " + file);

    scale("geo", geoBefore + 1);
    await("geo scaled out")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> passing("geo").size() == geoBefore + 1);

    admin.loseAllServerData(cluster, pods("consul-server"));
    await("a new raft cluster, ACLs bootstrapped again with the same management token")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(
            () ->
                ConsulAdmin.consul("GET", anyReadyServer(), "/v1/acl/token/self", null, management)
                        .statusCode()
                    == 200);
    assertThat(
            ConsulAdmin.consul(
                    "GET", anyReadyServer(), "/v1/kv/bellhop-e2e/greeting", null, management)
                .statusCode())
        .as("the KV data went with the servers' data")
        .isEqualTo(404);

    // A claim that does not exist is reported by name, and nothing is started.
    admin.apply(restore("from-nowhere", file).replace("spec: {", "spec: {claim: no-such-claim, "));
    await("a restore from a missing claim reported")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> admin.field("crs", "from-nowhere", ".status.message"),
            m -> m.contains("PersistentVolumeClaim no-such-claim not found"));
    assertThat(admin.field("crs", "from-nowhere", ".status.phase")).isEqualTo("Pending");
    admin.kubectl("delete", "crs", "from-nowhere");

    // A copy whose checksum does not match is refused before Consul sees it.
    String bad = "consul-20000101T000000Z.snap";
    Files.copy(snapshot, snapshot.resolveSibling(bad));
    Files.writeString(snapshot.resolveSibling(bad + ".sha256"), "0".repeat(64) + "  " + bad + "\n");
    admin.apply(restore("tampered", bad));
    assertThat(admin.restoreOutcome("tampered")).isEqualTo("Failed");
    assertThat(admin.field("crs", "tampered", ".status.message"))
        .contains(bad + " fails its checksum");
    var edit =
        admin.tryKubectl(
            "patch",
            "crs",
            "tampered",
            "--type=merge",
            "-p",
            "{\"spec\":{\"snapshot\":\"" + file + "\"}}");
    assertThat(edit.ok()).as("a finished restore is a record: its spec cannot change").isFalse();
    assertThat(edit.err()).contains("create another ConsulRestore");

    admin.apply(restore("after-the-loss", file));
    assertThat(admin.restoreOutcome("after-the-loss")).isEqualTo("Succeeded");
    assertThat(admin.field("crs", "after-the-loss", ".status.sha256")).isEqualTo(sha256);
    String now = anyReadyServer();
    assertThat(
            ConsulAdmin.consul("GET", now, "/v1/kv/bellhop-e2e/greeting?raw", null, management)
                .body())
        .isEqualTo("hello");
    assertThat(ConsulAdmin.consul("GET", now, "/v1/acl/token/self", null, userToken).statusCode())
        .as("the user's token is back")
        .isEqualTo(200);
    await("Consul's geo instances are Kubernetes' ready geo pods again")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(passing("geo"))
                    .containsExactlyInAnyOrderElementsOf(
                        pods("geo").stream()
                            .filter(Pods::ready)
                            .map(p -> ip(p) + ":8082")
                            .toList()));
    // Checked last: the Job goes on the reconcile after the one whose status recorded it.
    await("the snapshot Job deleted once its snapshot is recorded")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> !admin.kubectl("get", "jobs", "-o", "name").contains("job.batch/consul-snap-"));
    await("every HotelService Ready again")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> hotelServices().stream().allMatch(HotelSystemE2EIT::ready));
  }

  private static String restore(String name, String file) {
    return """
        apiVersion: bellhop.dev/v1alpha1
        kind: ConsulRestore
        metadata: {name: %s}
        spec: {cluster: consul, snapshot: %s}
        """
        .formatted(name, file);
  }

  // ------------------------------------------------------------------ what a user reads

  private static HttpResponse<String> post(String path, String body, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode consul(String path) throws IOException, InterruptedException {
    return consulVia(anyReadyServer(), path);
  }

  private static JsonNode consulVia(String ip, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://" + ip + ":8500" + path))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static String anyReadyServer() {
    return pods("consul-server").stream()
        .filter(Pods::ready)
        .map(p -> p.getStatus().getPodIP())
        .findFirst()
        .orElseThrow();
  }

  private static String otherServer(String notThis) {
    return pods("consul-server").stream()
        .map(p -> p.getStatus().getPodIP())
        .filter(ip -> !ip.equals(notThis))
        .findFirst()
        .orElseThrow();
  }

  /** "ip:port" of the instances of a service with every check passing. */
  private static List<String> passing(String service) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (JsonNode e : consul("/v1/health/service/" + service + "?passing=true")) {
      out.add(
          e.get("Service").get("Address").asText() + ":" + e.get("Service").get("Port").asInt());
    }
    return out;
  }

  private static String checkStatus(String service, String address)
      throws IOException, InterruptedException {
    for (JsonNode e : consul("/v1/health/service/" + service)) {
      if (address.equals(
          e.get("Service").get("Address").asText() + ":" + e.get("Service").get("Port").asInt())) {
        return e.get("Checks").get(0).get("Status").asText();
      }
    }
    return null;
  }

  /**
   * Each instance's ModifyIndex: a write to a registration raises it. Read again when a server
   * doesn't answer in time (a CI run once saw one read time out right after the operator's
   * restart).
   */
  private static Map<String, Long> modifyIndexes() {
    return await("Consul's registrations read")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(HotelSystemE2EIT::readModifyIndexes, indexes -> true);
  }

  private static Map<String, Long> readModifyIndexes() throws IOException, InterruptedException {
    Map<String, Long> out = new HashMap<>();
    for (String service : List.of("auth", "geo", "profile", "rate", "hotel")) {
      for (JsonNode e : consul("/v1/health/service/" + service)) {
        out.put(e.get("Service").get("ID").asText(), e.get("Service").get("ModifyIndex").asLong());
        for (JsonNode c : e.get("Checks")) {
          out.put(c.get("CheckID").asText(), c.get("ModifyIndex").asLong());
        }
      }
    }
    return out;
  }

  /** The SRV records of a service from Consul's DNS interface, as {@code dig} prints them. */
  private static List<String> dig(String service) {
    return digAt(anyReadyServer(), service);
  }

  /** What {@code dig} gets for {@code <service>.service.consul} at an address's port 8600. */
  private static List<String> digAt(String address, String service) {
    return Dig.srv(address, 8600, service + ".service.consul");
  }

  private static List<Pod> agents() {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel("app.kubernetes.io/component", "agent")
        .list()
        .getItems();
  }

  private static String ip(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
  }

  /** Each agent (node, address, readiness, its own answer), then the Service's and a server's. */
  private static String agentDnsReport(String service) {
    StringBuilder out = new StringBuilder();
    for (Pod a : agents()) {
      out.append(a.getMetadata().getName())
          .append(" node=")
          .append(a.getSpec().getNodeName())
          .append(" ip=")
          .append(ip(a))
          .append(" ready=")
          .append(Pods.ready(a))
          .append(" restarts=")
          .append(
              a.getStatus().getContainerStatuses() == null
                      || a.getStatus().getContainerStatuses().isEmpty()
                  ? "?"
                  : a.getStatus().getContainerStatuses().get(0).getRestartCount())
          .append(" dig=")
          .append(ip(a) == null ? "-" : attempt(() -> digAt(ip(a), "auth")))
          .append("; ");
    }
    out.append("service ")
        .append(service)
        .append(" dig=")
        .append(attempt(() -> digAt(service, "auth")));
    out.append("; server dig=").append(attempt(() -> dig("auth")));
    return out.toString();
  }

  private static String attempt(java.util.concurrent.Callable<?> call) {
    try {
      return String.valueOf(call.call());
    } catch (Exception e) {
      return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
    }
  }

  private static double geoRequestsServed(String address) throws IOException, InterruptedException {
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metric(metrics, "rpc_server_requests_seconds_count", "Geo.Nearby");
  }

  /** A metric of the operator pod that holds the lease. */
  private static double operatorMetric(String name) throws IOException, InterruptedException {
    var lease = client.leases().inNamespace(NS).withName("bellhop-operator").get();
    String holder = lease.getSpec().getHolderIdentity();
    for (Pod p : pods("bellhop-operator")) {
      if (holder != null && holder.contains(p.getMetadata().getName())) {
        String body =
            HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create("http://" + p.getStatus().getPodIP() + ":8080/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        return metric(body, name, "");
      }
    }
    throw new IllegalStateException("no operator pod holds the lease (holder " + holder + ")");
  }

  /** Sum of a Prometheus metric's samples whose labels contain {@code labelText}. */
  private static double metric(String text, String name, String labelText) {
    double sum = 0;
    Matcher m =
        Pattern.compile(
                "^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(text);
    while (m.find()) {
      if (m.group(1) == null ? labelText.isEmpty() : m.group(1).contains(labelText)) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  // ------------------------------------------------------------------ the cluster

  private static List<GenericKubernetesResource> hotelServices() {
    return client
        .genericKubernetesResources("bellhop.dev/v1alpha1", "HotelService")
        .inNamespace(NS)
        .list()
        .getItems();
  }

  @SuppressWarnings("unchecked")
  private static boolean ready(GenericKubernetesResource r) {
    Object status = r.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> s
        && s.get("conditions") instanceof List<?> conditions
        && conditions.stream()
            .map(c -> (Map<String, Object>) c)
            .anyMatch(c -> "Ready".equals(c.get("type")) && "True".equals(c.get("status")));
  }

  private static boolean ready(Pod pod) {
    Pod now = client.pods().resource(pod).get();
    return now != null && Pods.ready(now);
  }

  /** The live pods of a workload (by the name prefix its controller gives them). */
  private static List<Pod> pods(String workload) {
    Pattern name = Pattern.compile(Pattern.quote(workload) + "-([0-9]+|[0-9a-f]{10}-[a-z0-9]{5})");
    return client.pods().inNamespace(NS).list().getItems().stream()
        .filter(
            p ->
                name.matcher(p.getMetadata().getName()).matches()
                    && p.getMetadata().getDeletionTimestamp() == null)
        .collect(Collectors.toList());
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }

  private static void scale(String hotelService, int replicas) {
    client
        .genericKubernetesResources("bellhop.dev/v1alpha1", "HotelService")
        .inNamespace(NS)
        .withName(hotelService)
        .edit(
            r -> {
              ((Map<String, Object>) r.getAdditionalProperties().get("spec"))
                  .put("replicas", replicas);
              return r;
            });
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("crds"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  /** Hotel.Rates through the gateway in a loop, as a user would, counting failures. */
  private static final class Load implements AutoCloseable {
    final AtomicInteger ok = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Load() {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  try {
                    HttpResponse<String> r = post("/hotel/rates", RATES, token);
                    if (r.statusCode() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.add(r.statusCode() + " " + r.body());
                    }
                  } catch (IOException e) {
                    failures.add(e.toString());
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "load");
      thread.start();
    }

    void assertNoFailures() {
      assertThat(failures).as("failed requests among %d", ok.get() + failures.size()).isEmpty();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }
}
