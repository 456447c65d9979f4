package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.Kube;
import dev.bellhop.operator.testing.RunningOperator;
import dev.bellhop.testkit.consul.Dig;
import dev.bellhop.testkit.consul.TestConsulCluster;
import dev.bellhop.testkit.consul.TestConsulNode;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Configuration fidelity: the exact configuration the operator generated for a ConsulCluster with
 * ACLs and agents, run with the real consul binary one process per pod ({@link RenderedConsul}).
 * The operator then finds the "pods" (mock pods whose IPs are those processes' addresses), reports
 * leader and peers, and bootstraps ACLs for real.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsulClusterFidelityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final String NS = "fidelity";
  private static final String NODE = RenderedConsul.NODE;

  static RunningOperator running;
  static KubernetesClient client;
  static TestConsulCluster consul;

  @BeforeAll
  static void start() {
    running =
        RunningOperator.start(new OperatorConfig("127.0.0.1:1", null, "test", Set.of(), -1, null));
    client = running.client();
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace(NS);
    ConsulClusterSpec spec = new ConsulClusterSpec();
    var acl = new ConsulClusterSpec.Acl();
    acl.setEnabled(true);
    spec.setAcl(acl);
    var agents = new ConsulClusterSpec.Agents();
    agents.setEnabled(true);
    spec.setAgents(agents);
    cc.setSpec(spec);
    client.resource(cc).create();
    // The services the operator's token may write are its HotelServices' (none has pods here).
    for (var hs :
        List.of(
            Kube.hotelService(NS, "geo", 8082, Map.of("app", "geo")),
            Kube.hotelService(NS, "rate", 8084, Map.of("app", "rate")))) {
      client.resource(hs).create();
    }

    consul = RenderedConsul.start(client, NS, "consul", Map.of());
  }

  @AfterAll
  static void stop() {
    RenderedConsul.close(consul);
    RunningOperator.close(running);
  }

  // ------------------------------------------------------------------ the tests

  @Test
  void serversElectALeaderTheOperatorReportsItAndBootstrapsAcls() {
    List<String> raft = consul.servers().stream().map(s -> s.address() + ":8300").sorted().toList();
    awaitAsserted(
        () -> {
          ConsulCluster cc =
              client.resources(ConsulCluster.class).inNamespace(NS).withName("consul").get();
          assertThat(cc.getStatus().getPeers())
              .as("status %s", cc.getStatus().getConditions())
              .isEqualTo(raft);
          assertThat(raft).contains(cc.getStatus().getLeader());
          assertThat(cc.getStatus().getReadyServers()).isEqualTo(3);
          var ready =
              Conditions.find(cc.getStatus().getConditions(), Conditions.READY).orElseThrow();
          assertThat(ready.getStatus()).as(ready.getMessage()).isEqualTo("True");
        });
    assertThat(consul.leader().address() + ":8300")
        .isEqualTo(
            client
                .resources(ConsulCluster.class)
                .inNamespace(NS)
                .withName("consul")
                .get()
                .getStatus()
                .getLeader());
    assertThat(client.secrets().inNamespace(NS).withName("consul-acl-bootstrap").get()).isNotNull();
    assertThat(client.secrets().inNamespace(NS).withName("consul-operator-token").get())
        .isNotNull();
  }

  @Test
  void agentsJoinAndGossipIsEncryptedWithTheGeneratedKey() throws Exception {
    String management = awaitSecret("consul-acl-bootstrap");
    String key =
        ConsulClusterResources.secretValue(
            client.secrets().inNamespace(NS).withName("consul-gossip").get(), "key");
    awaitAsserted(
        () -> {
          JsonNode members =
              JSON.readTree(
                  call("GET", consul.servers().get(0), "/v1/agent/members", management, null)
                      .body());
          List<String> alive = new ArrayList<>();
          members.forEach(
              m -> {
                if (m.path("Status").asInt() == 1) {
                  alive.add(m.path("Name").asText());
                }
              });
          assertThat(alive)
              .containsExactlyInAnyOrder(
                  "consul-server-0", "consul-server-1", "consul-server-2", NODE);
        });
    for (TestConsulNode node : consul.nodes()) {
      JsonNode self = JSON.readTree(call("GET", node, "/v1/agent/self", management, null).body());
      assertThat(self.at("/Stats/serf_lan/encrypted").asText()).as(node.name()).isEqualTo("true");
      // What `ps` shows every process on the node: the key came from a file, not the command line.
      String commandLine =
          Files.readString(Path.of("/proc", String.valueOf(node.pid()), "cmdline"))
              .replace('\0', ' ');
      assertThat(commandLine).as(node.name()).contains("-config-file=").doesNotContain(key);
    }
    var keyringResponse =
        call("GET", consul.servers().get(0), "/v1/operator/keyring", management, null);
    assertThat(keyringResponse.statusCode()).as(keyringResponse.body()).isEqualTo(200);
    JsonNode keyring = JSON.readTree(keyringResponse.body());
    // Every member of the LAN pool (3 servers and the agent) and the WAN pool holds exactly our
    // key.
    assertThat(keyring).isNotEmpty();
    keyring.forEach(
        k -> {
          assertThat(k.path("Keys").has(key)).as("keyring %s", k).isTrue();
          assertThat(k.path("Keys").size()).isEqualTo(1);
        });
    assertThat(keyring)
        .anySatisfy(
            k -> {
              assertThat(k.path("WAN").asBoolean()).isFalse();
              assertThat(k.path("NumNodes").asInt()).isEqualTo(4);
            });
    // The operator gave every agent its token: the agent's node is registered (anti-entropy
    // allowed).
    awaitAsserted(
        () ->
            assertThat(
                    JSON.readTree(
                            call(
                                    "GET",
                                    consul.servers().get(0),
                                    "/v1/catalog/nodes",
                                    management,
                                    null)
                                .body())
                        .findValuesAsText("Node"))
                .contains(NODE, "consul-server-0"));
  }

  /**
   * Issue #16: the servers' certificate and key were mounted on every agent node, so any node could
   * pose as a server. Now each role gets its own certificate, and the CA key no pod at all; the
   * agent above joined and made its RPCs with its client certificate only.
   */
  @Test
  void eachRoleMountsOnlyItsOwnCertificateAndNoPodTheCaKey() {
    var servers =
        client.apps().statefulSets().inNamespace(NS).withName("consul-server").get().getSpec();
    var agents =
        client.apps().daemonSets().inNamespace(NS).withName("consul-agent").get().getSpec();
    assertThat(tlsItems(servers.getTemplate().getSpec()))
        .containsExactlyInAnyOrder("ca.crt=ca.crt", "server.crt=tls.crt", "server.key=tls.key");
    assertThat(tlsItems(agents.getTemplate().getSpec()))
        .containsExactlyInAnyOrder("ca.crt=ca.crt", "client.crt=tls.crt", "client.key=tls.key");
    var client =
        ClusterCertificates.certificate(
            ConsulClusterResources.secretValue(
                ConsulClusterFidelityIT.client
                    .secrets()
                    .inNamespace(NS)
                    .withName("consul-tls")
                    .get(),
                ClusterCertificates.CLIENT_CRT));
    assertThat(ClusterCertificates.dnsNames(client)).doesNotContain("server.dc1.consul");
  }

  private static List<String> tlsItems(io.fabric8.kubernetes.api.model.PodSpec pod) {
    var volume =
        pod.getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("consul-tls");
    return volume.getSecret().getItems().stream().map(i -> i.getKey() + "=" + i.getPath()).toList();
  }

  @Test
  void anonymousIsDeniedAndTheOperatorsTokenRegistersOnItsSyntheticNodesOnly() throws Exception {
    ConsulEndpoints endpoints = new ConsulEndpoints(client);
    ConsulEndpoint endpoint =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> endpoints.resolve(NS, "consul").orElse(null), e -> e != null);
    assertThat(endpoints.whyNotReady(NS, "consul")).isNull();
    assertThat(endpoint.httpAddresses())
        .as("TLS by default: the API over HTTPS")
        .containsExactlyInAnyOrderElementsOf(
            consul.servers().stream().map(s -> "https://" + s.address() + ":8501").toList());
    assertThat(endpoint.caCertPem())
        .as("Bellhop's own CA")
        .isEqualTo(
            ConsulClusterResources.secretValue(
                client.secrets().inNamespace(NS).withName("consul-tls").get(), "ca.crt"));
    String management = awaitSecret("consul-acl-bootstrap");
    assertThat(endpoint.token())
        .isEqualTo(awaitSecret("consul-operator-token"))
        .isNotEqualTo(management);

    TestConsulNode server = consul.servers().get(1);
    String register =
        """
        {"Node": "%s", "Address": "10.0.0.7",
         "Service": {"ID": "geo-1", "Service": "geo", "Address": "10.1.0.1", "Port": 8082}}""";
    var anonymous =
        call(
            "PUT", server, "/v1/catalog/register", null, register.formatted("bellhop-test-node-a"));
    assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(403);

    String token = endpoint.token();
    var ok =
        call(
            "PUT",
            server,
            "/v1/catalog/register",
            token,
            register.formatted("bellhop-test-node-a"));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    // What Bellhop's sync engine does: a transaction on its synthetic node.
    String txn =
        """
        [{"Node": {"Verb": "set", "Node": {"Node": "bellhop-test-node-b", "Address": "10.0.0.8",
          "Meta": {"managed-by": "bellhop"}}}},
         {"Service": {"Verb": "set", "Node": "bellhop-test-node-b",
          "Service": {"ID": "rate-1", "Service": "rate", "Address": "10.1.0.2", "Port": 8084}}}]""";
    var txnOk = call("PUT", server, "/v1/txn", token, txn);
    assertThat(txnOk.statusCode()).as(txnOk.body()).isEqualTo(200);
    var services =
        JSON.readTree(call("GET", server, "/v1/catalog/service/geo", token, null).body());
    assertThat(services.findValuesAsText("ServiceID")).contains("geo-1");
    // Least privilege: no other node, no KV.
    var otherNode =
        call(
            "PUT", server, "/v1/catalog/register", token, register.formatted("someone-elses-node"));
    assertThat(otherNode.statusCode()).isEqualTo(403);
    assertThat(call("PUT", server, "/v1/kv/x", token, "y").statusCode()).isEqualTo(403);
    assertThat(call("PUT", server, "/v1/kv/x", management, "y").statusCode()).isEqualTo(200);
  }

  /**
   * Issue #16: the operator's token wrote {@code service_prefix ""}, any service of anyone. Now it
   * writes the services of the HotelServices registering into the cluster, follows them as they
   * come, are renamed and go, and keeps a name while Bellhop's nodes still hold it (the old name's
   * instances are deregistered with that token).
   */
  @Test
  void theOperatorsTokenWritesTheServicesOfItsHotelServicesOnly() throws Exception {
    String token = awaitSecret("consul-operator-token");
    assertThat(registerOnABellhopNode(token, "geo")).isEqualTo(200);
    assertThat(registerOnABellhopNode(token, "newcomer"))
        .as("no HotelService is called newcomer")
        .isEqualTo(403);

    client.resource(Kube.hotelService(NS, "newcomer", 8090, Map.of("app", "newcomer"))).create();
    awaitAsserted(() -> assertThat(registerOnABellhopNode(token, "newcomer")).isEqualTo(200));

    new Kube(client)
        .edit(
            NS,
            "newcomer",
            hs -> {
              hs.getSpec().getConsul().setServiceName("renamed");
              return hs;
            });
    awaitAsserted(() -> assertThat(registerOnABellhopNode(token, "renamed")).isEqualTo(200));
    assertThat(registerOnABellhopNode(token, "newcomer"))
        .as("newcomer-1 is still on a Bellhop node")
        .isEqualTo(200);

    TestConsulNode server = consul.servers().get(2);
    for (String gone : List.of("newcomer", "renamed")) {
      String deregister = "{\"Node\": \"bellhop-test-node-c\", \"ServiceID\": \"" + gone + "-1\"}";
      assertThat(call("PUT", server, "/v1/catalog/deregister", token, deregister).statusCode())
          .isEqualTo(200);
    }
    client.resources(HotelService.class).inNamespace(NS).withName("newcomer").delete();
    for (String gone : List.of("newcomer", "renamed")) {
      awaitAsserted(
          () ->
              assertThat(probe(token, gone))
                  .as("no HotelService and no instance left: %s is dropped", gone)
                  .isEqualTo(403));
    }
    assertThat(probe(awaitSecret("consul-acl-bootstrap"), "renamed")).isEqualTo(200);
  }

  /** Registers {@code <service>-1} on a node marked as Bellhop's; the HTTP status. */
  private static int registerOnABellhopNode(String token, String service) throws Exception {
    return register(
        token, service, "bellhop-test-node-c", "\"NodeMeta\": {\"managed-by\": \"bellhop\"},");
  }

  /**
   * Whether the token may write {@code service}, asked by registering it on a node that is not
   * marked as Bellhop's: a success there does not keep the name in the operator's policy, as an
   * instance on a Bellhop node would.
   */
  private static int probe(String token, String service) throws Exception {
    return register(token, service, "bellhop-test-probe", "");
  }

  private static int register(String token, String service, String node, String nodeMeta)
      throws Exception {
    String register =
        """
        {"Node": "%2$s", "Address": "10.0.0.9", %3$s
         "Service": {"ID": "%1$s-1", "Service": "%1$s", "Address": "10.1.0.3", "Port": 8090}}"""
            .formatted(service, node, nodeMeta);
    return call("PUT", consul.servers().get(2), "/v1/catalog/register", token, register)
        .statusCode();
  }

  /**
   * Issue #16: the gateway reads with a token of its own, which the chart hands it, and which can
   * read the catalog's services and their health but write nothing.
   */
  @Test
  void theGatewaysTokenReadsTheCatalogAndWritesNothing() throws Exception {
    String token = awaitSecret("consul-gateway-token");
    String management = awaitSecret("consul-acl-bootstrap");
    TestConsulNode server = consul.servers().get(0);
    String register =
        """
        {"Node": "bellhop-test-node-gw", "Address": "10.0.0.8",
         "Service": {"ID": "seen-1", "Service": "seen", "Address": "10.1.0.8", "Port": 8088}}""";
    assertThat(call("PUT", server, "/v1/catalog/register", management, register).statusCode())
        .isEqualTo(200);
    awaitAsserted(
        () -> {
          var health = call("GET", server, "/v1/health/service/seen", token, null);
          assertThat(health.statusCode()).isEqualTo(200);
          assertThat(JSON.readTree(health.body()).findValuesAsText("ID")).contains("seen-1");
        });
    assertThat(call("GET", server, "/v1/catalog/services", token, null).body()).contains("seen");
    assertThat(
            call("PUT", server, "/v1/catalog/register", token, register.replace("seen", "fake"))
                .statusCode())
        .isEqualTo(403);
    assertThat(call("PUT", server, "/v1/kv/x", token, "y").statusCode()).isEqualTo(403);
    assertThat(CredentialSecrets.of(cc())).contains("consul-gateway-token");
  }

  /**
   * Issue #16: with ACLs on, the hotel service's DNS lookups (which carry no token) must still
   * resolve: the anonymous token reads services and nodes, and writes nothing.
   */
  @Test
  void anonymousResolvesRegisteredServicesInDnsAndWritesNothing() throws Exception {
    String management = awaitSecret("consul-acl-bootstrap");
    TestConsulNode server = consul.servers().get(0);
    String register =
        """
        {"Node": "bellhop-test-node-dns", "Address": "10.0.0.9",
         "Service": {"ID": "lookup-1", "Service": "lookup", "Address": "10.1.0.9", "Port": 8089}}""";
    var registered = call("PUT", server, "/v1/catalog/register", management, register);
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
    awaitAsserted(
        () -> {
          var health = call("GET", server, "/v1/health/service/lookup", null, null);
          assertThat(JSON.readTree(health.body()).findValuesAsText("ID")).contains("lookup-1");
          assertThat(Dig.srv(server.address(), server.dnsPort(), "lookup.service.consul"))
              .singleElement()
              .asString()
              .contains("8089");
        });
    assertThat(call("PUT", server, "/v1/catalog/register", null, register).statusCode())
        .isEqualTo(403);
    assertThat(call("PUT", server, "/v1/kv/anonymous", null, "x").statusCode()).isEqualTo(403);
  }

  @Test
  void theReadinessProbeIsReadyOnlyWithALeader() throws Exception {
    var probe =
        client
            .apps()
            .statefulSets()
            .inNamespace(NS)
            .withName("consul-server")
            .get()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getReadinessProbe()
            .getExec()
            .getCommand();
    TestConsulNode server = consul.servers().get(2);
    // The pod's loopback is the node's address here (see RenderedConsul).
    assertThat(runProbe(probe, "127.0.0.1", server.address())).isZero();
    // An address where no agent answers: not ready. (A Consul without a leader answers "" the same
    // way.)
    assertThat(runProbe(probe, "127.0.0.1", consul.addressBlock() + ".250")).isNotZero();
  }

  private static int runProbe(List<String> command, String from, String to) throws Exception {
    List<String> mapped = command.stream().map(a -> a.replace(from, to)).toList();
    Process p =
        new ProcessBuilder(mapped)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  /**
   * Issue #16: each server and agent has a token of its own node (Consul's node identity), which
   * cannot write another node; the one token all agents shared before is revoked where it is found
   * (an upgraded cluster) and its Secret emptied.
   */
  @Test
  void everyNodeHasItsOwnTokenAndAnEarlierSharedOneIsRevoked() throws Exception {
    String management = awaitSecret("consul-acl-bootstrap");
    List<String> nodes =
        new ArrayList<>(List.of("consul-server-0", "consul-server-1", "consul-server-2", NODE));
    var tokens =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> client.secrets().inNamespace(NS).withName("consul-agent-tokens").get(),
                sec -> sec != null && sec.getData().keySet().containsAll(nodes));
    TestConsulNode server = consul.servers().get(0);
    String own = ConsulClusterResources.secretValue(tokens, "consul-server-0");
    var other =
        call(
            "PUT",
            server,
            "/v1/catalog/register",
            own,
            "{\"Node\": \"consul-server-1\", \"Address\": \"10.9.9.9\"}");
    assertThat(other.statusCode())
        .as("consul-server-0's token writing consul-server-1")
        .isEqualTo(403);

    // An upgraded cluster: the shared token of before, and its Secret.
    JsonNode shared =
        JSON.readTree(
            call("PUT", server, "/v1/acl/token", management, "{\"Description\": \"shared\"}")
                .body());
    String accessor = shared.path("AccessorID").asText();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("consul-agent-token")
                .withNamespace(NS)
                .withLabels(Map.of("bellhop.dev/consulcluster", "consul"))
                .endMetadata()
                .addToData("token", ConsulClusterResources.base64(shared.path("SecretID").asText()))
                .addToData("accessorID", ConsulClusterResources.base64(accessor))
                .build())
        .create();
    awaitAsserted(
        () -> {
          assertThat(
                  call("GET", server, "/v1/acl/token/" + accessor, management, null).statusCode())
              .as("the shared token revoked")
              .isNotEqualTo(200);
          var emptied = client.secrets().inNamespace(NS).withName("consul-agent-token").get();
          assertThat(emptied.getData()).isNullOrEmpty();
        });
  }

  /** Runs late: it takes the management token away and gives it back. */
  @Test
  @Order(Integer.MAX_VALUE - 1)
  void bootstrapHappensOnceAndALostManagementTokenIsReportedNotReplaced() throws Exception {
    String management = awaitSecret("consul-acl-bootstrap");
    awaitAsserted(
        () ->
            assertThat(Conditions.isTrue(cc().getStatus().getConditions(), Conditions.READY))
                .isTrue());
    // Reconciles after the bootstrap neither bootstrap again nor duplicate tokens.
    var tokens =
        JSON.readTree(
            call("GET", consul.servers().get(0), "/v1/acl/tokens", management, null).body());
    assertThat(tokens.findValuesAsText("Description"))
        .containsOnlyOnce("Bellhop operator")
        .filteredOn(d -> d.startsWith("Consul agent of node "))
        .as("one token per node: 3 servers and the agent")
        .hasSize(4)
        .doesNotHaveDuplicates();
    assertThat(tokens.findValuesAsText("Description"))
        .filteredOn(d -> d.contains("Bootstrap Token"))
        .hasSize(1);

    var saved = client.secrets().inNamespace(NS).withName("consul-acl-bootstrap").get();
    client.resource(saved).delete();
    awaitAsserted(
        () -> {
          var ready =
              Conditions.find(cc().getStatus().getConditions(), Conditions.READY).orElseThrow();
          assertThat(ready.getReason()).isEqualTo("ACLBootstrapFailed");
          assertThat(ready.getMessage()).contains("consul-acl-bootstrap");
        });
    saved.getMetadata().setResourceVersion(null);
    saved.getMetadata().setUid(null);
    client.resource(saved).create();
    awaitAsserted(
        () ->
            assertThat(Conditions.isTrue(cc().getStatus().getConditions(), Conditions.READY))
                .isTrue());
    assertThat(awaitSecret("consul-acl-bootstrap")).isEqualTo(management);
  }

  /**
   * Runs last: it wipes every server. The new raft cluster has no catalog and no ACLs, so the
   * engine's repairs are refused until the ConsulCluster controller bootstraps it again and
   * re-creates the tokens with the SecretIDs kept in their Secrets; then every registration is
   * back, written with the operator's unchanged token.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void serversThatLostTheirDataGetTheTokensBackAndEveryRegistration() throws Exception {
    String management = awaitSecret("consul-acl-bootstrap");
    String operatorToken = awaitSecret("consul-operator-token");
    String id = "test:" + NS + ":geo:geo-1:8082";
    new Kube(client).create(Kube.pod(NS, "geo-1", Map.of("app", "geo"), NODE, "10.30.0.1", true));
    TestConsulNode server = consul.servers().get(0);
    awaitAsserted(() -> assertThat(passing(server, management, id)).isTrue());
    double written = registrations();

    consul.restartServersAsNewCluster(Duration.ofSeconds(60));

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(passing(server, management, id)).isTrue());
    // Written again by a repair, or by the reconcile that the repair's ConsulRejected status
    // triggers, whichever comes first: both write through the engine.
    assertThat(registrations()).as("the engine wrote it again").isGreaterThan(written);
    assertThat(awaitSecret("consul-acl-bootstrap")).isEqualTo(management);
    assertThat(awaitSecret("consul-operator-token")).isEqualTo(operatorToken);
    var self = call("GET", server, "/v1/acl/token/self", operatorToken, null);
    assertThat(JSON.readTree(self.body()).path("Description").asText())
        .isEqualTo("Bellhop operator");
  }

  /**
   * Whether Consul holds instance {@code id} of geo with a passing check (read as {@code token}).
   */
  private static boolean passing(TestConsulNode server, String token, String id) throws Exception {
    var r = call("GET", server, "/v1/health/service/geo", token, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    for (JsonNode entry : JSON.readTree(r.body())) {
      if (id.equals(entry.path("Service").path("ID").asText())) {
        for (JsonNode check : entry.path("Checks")) {
          if (("service:" + id).equals(check.path("CheckID").asText())) {
            return "passing".equals(check.path("Status").asText());
          }
        }
      }
    }
    return false;
  }

  private static double registrations() {
    return running.operator().meters().counter("bellhop.consul.registrations").count();
  }

  private static ConsulCluster cc() {
    return client.resources(ConsulCluster.class).inNamespace(NS).withName("consul").get();
  }

  // ------------------------------------------------------------------ helpers

  private static String awaitSecret(String name) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                ConsulClusterResources.secretValue(
                    client.secrets().inNamespace(NS).withName(name).get(), "token"),
            v -> v != null);
  }

  private static HttpResponse<String> call(
      String method, TestConsulNode node, String path, String token, String body)
      throws IOException, InterruptedException {
    var b =
        HttpRequest.newBuilder(URI.create(node.httpUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("X-Consul-Token", token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private interface Check {
    void run() throws Exception;
  }

  private static void awaitAsserted(Check check) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(check::run);
  }
}
