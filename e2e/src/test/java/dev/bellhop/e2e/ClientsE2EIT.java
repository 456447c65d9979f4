package dev.bellhop.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.LocalCluster;
import dev.bellhop.localcluster.Tour;
import dev.bellhop.localcluster.clients.Clients;
import dev.bellhop.localcluster.clients.HelmInstall;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The system driven only as a user drives it: the real {@code kubectl} and {@code helm} of {@code
 * make tools}, the gateway and Consul over HTTP. Installed once with {@code kubectl apply -f crds/}
 * and {@code helm install}; the last test uninstalls it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientsE2EIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration START = Duration.ofMinutes(4);

  private static LocalCluster cluster;
  private static Clients clients;
  private static String crdsApplied;
  private static Path stateDir;

  @BeforeAll
  static void install() {
    Path root = repoRoot();
    LocalCluster.Settings settings =
        new LocalCluster.Settings(
            root, root.resolve("e2e/target/local-cluster-clients"), "127.0.0.1", 0, "127.0.0.1", 0);
    stateDir = settings.stateDir();
    cluster = LocalCluster.start(settings);
    clients = new Clients(root, settings.kubeconfig(), settings.stateDir());
    crdsApplied = clients.kubectl(HelmInstall.crdsCommand().toArray(String[]::new)).orThrow();
    for (var command : HelmInstall.namespaceCommands()) {
      clients.kubectl(command.toArray(String[]::new)).orThrow();
    }
    clients.helm(HelmInstall.installCommand().toArray(String[]::new)).orThrow();
    kubectl("wait", "--for=condition=Ready", "hs", "--all", "--timeout=" + START.toSeconds() + "s");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void crdsApplyWithClientSideValidationAndAgainUnchanged() throws IOException {
    assertThat(crdsApplied)
        .contains("customresourcedefinition.apiextensions.k8s.io/hotelservices.bellhop.dev created")
        .contains(
            "customresourcedefinition.apiextensions.k8s.io/consulclusters.bellhop.dev created");
    // Validation stays on (kubectl's default --validate=strict): kubectl leaves it to the server
    // because the OpenAPI v3 document offers fieldValidation; a second apply is a no-op patch.
    assertThat(kubectl("apply", "-f", "crds/")).contains("hotelservices.bellhop.dev unchanged");
    // An unknown field is refused by the server's strict validation, with kube's message.
    Path typo =
        Files.writeString(
            stateDir.resolve("typo.yaml"),
            """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: typo}
        dataa: {a: b}
        """);
    Clients.Result refused = clients.kubectl("apply", "-f", typo.toString());
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("unknown field \"dataa\"");
  }

  @Test
  @Order(2)
  void kubectlGetPrintsKubesColumns() {
    List<String> pods = kubectl("get", "pods").lines().toList();
    assertThat(words(pods.get(0))).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
    String hotel = pods.stream().filter(l -> l.startsWith("hotel-")).findFirst().orElseThrow();
    assertThat(words(hotel).subList(1, 4)).containsExactly("1/1", "Running", "0");

    List<String> wide = kubectl("get", "pods", "-o", "wide").lines().toList();
    assertThat(wide.get(0)).contains("IP", "NODE", "NOMINATED NODE", "READINESS GATES");
    assertThat(wide.stream().filter(l -> l.startsWith("hotel-")).findFirst().orElseThrow())
        .contains("node-");

    List<String> hs = kubectl("get", "hs").lines().toList();
    assertThat(words(hs.get(0))).contains("NAME", "READY", "REGISTERED", "AGE");
    List<String> header = words(hs.get(0));
    List<String> geo =
        words(hs.stream().filter(l -> l.startsWith("geo ")).findFirst().orElseThrow());
    assertThat(geo.get(header.indexOf("READY"))).isEqualTo("2");
    assertThat(geo.get(header.indexOf("REGISTERED"))).isEqualTo("2");
    assertThat(kubectl("get", "hs", "-o", "wide").lines().findFirst().orElseThrow())
        .contains("CONSUL SERVICE");

    assertThat(kubectl("get", "deploy", "geo").lines().findFirst().orElseThrow())
        .contains("READY", "UP-TO-DATE", "AVAILABLE");
    assertThat(kubectl("get", "cc").lines().findFirst().orElseThrow())
        .contains("SERVERS", "LEADER");
    assertThat(kubectl("describe", "hs", "geo")).contains("Name:", "geo", "Ready");
    // The category "all": pods, Services and workloads in one listing, each kind with its columns.
    assertThat(kubectl("get", "all"))
        .contains(
            "pod/geo-", "service/geo", "deployment.apps/geo", "statefulset.apps/consul-server")
        .contains("daemonset.apps/consul-agent", "STATUS", "CLUSTER-IP", "UP-TO-DATE");
  }

  @Test
  @Order(3)
  void kubectlLogsShowsAHotelPodsStartUp() {
    String pod =
        kubectl("get", "pods", "-o", "name")
            .lines()
            .filter(n -> n.startsWith("pod/hotel-"))
            .findFirst()
            .orElseThrow();
    String logs = kubectl("logs", pod);
    assertThat(logs).contains("service=hotel").contains("msg=\"ready\"");
    assertThat(kubectl("logs", "deploy/hotel", "--tail=1").lines()).hasSize(1);
    assertThat(kubectl("logs", pod, "--timestamps", "--tail=1"))
        .matches("(?s)\\d{4}-\\d\\d-\\d\\dT.*Z .*");
  }

  @Test
  @Order(4)
  void kubectlWaitAndRolloutStatusFollowWatches() {
    assertThat(kubectl("wait", "--for=condition=Ready", "hs/geo", "--timeout=60s"))
        .contains("condition met");
    assertThat(kubectl("rollout", "status", "deploy/geo", "--timeout=60s"))
        .contains("successfully rolled out");
  }

  /**
   * kubectl sends its access reviews in protobuf; the admin kubeconfig is system:masters, so both
   * answer everything (what a ServiceAccount may do is RbacAuthorizer's, tested there).
   */
  @Test
  @Order(4)
  void kubectlAuthCanIIsAnswered() {
    assertThat(kubectl("auth", "can-i", "delete", "hotelservices")).isEqualTo("yes");
    assertThat(kubectl("auth", "can-i", "--list")).contains("*.*");
  }

  @Test
  @Order(5)
  void helmUpgradeScalesAServiceIntoConsul() throws Exception {
    assertThat(helm("list")).contains("bellhop").contains("deployed");
    String[] upgrade =
        ("upgrade bellhop helm/bellhop --reuse-values --set " + Tour.SCALE_GEO).split(" ");
    assertThat(helm(upgrade)).contains("has been upgraded");
    await("3 geo instances passing in Consul")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(() -> consul("/v1/health/service/geo?passing=true").size() == 3);
    assertThat(kubectl("get", "hs", "geo", "-o", "jsonpath={.spec.replicas}")).isEqualTo("3");
    assertThat(helm("list")).contains("deployed").containsPattern("bellhop\\s+bellhop\\s+2\\s");
  }

  /**
   * A bare {@code helm uninstall}: the chart's pre-delete hook (a Job running the operator image
   * under an identity that may only list and delete this release's HotelServices) deletes the
   * HotelServices and waits while the running operator deregisters them; only then does Helm delete
   * the operator and the rest. Consul is read throughout, from a second thread: it must show no
   * Bellhop instance before Helm deletes the ConsulCluster.
   */
  @Test
  @Order(6)
  void uninstallDeregistersEverythingThenRemovesWhatHelmInstalled() throws Exception {
    List<String> installed = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    for (String doc : helm("get", "manifest", "bellhop").split("(?m)^---")) {
      JsonNode object = yaml.readTree(doc);
      if (object != null && object.has("kind")) {
        installed.add(
            object.path("kind").asText() + "/" + object.path("metadata").path("name").asText());
      }
    }
    assertThat(installed)
        .contains("HotelService/geo", "Deployment/bellhop-operator", "ConsulCluster/consul");
    String consulServer =
        kubectl("get", "pod", "consul-server-0", "-o", "jsonpath={.status.podIP}");
    assertThat(bellhopRegistrations(consulServer)).isPositive();

    var uninstall =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> helm("uninstall", "bellhop"));
    boolean sawNone = false;
    while (!uninstall.isDone() && !sawNone) {
      try {
        sawNone = bellhopRegistrations(consulServer) == 0;
      } catch (IOException e) {
        break; // Consul is going: Helm got past the hook
      }
      Thread.sleep(100);
    }
    assertThat(sawNone).as("Consul held no Bellhop instance while it was still up").isTrue();
    assertThat(uninstall.get(3, java.util.concurrent.TimeUnit.MINUTES)).contains("uninstalled");
    installed.addAll(
        List.of(
            "Job/bellhop-operator-uninstall",
            "ServiceAccount/bellhop-operator-uninstall",
            "Role/bellhop-operator-uninstall",
            "RoleBinding/bellhop-operator-uninstall"));
    await("every object of the release gone")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              for (String object : installed) {
                assertThat(clients.kubectl("get", object, "--ignore-not-found", "-o", "name").out())
                    .as(object)
                    .isBlank();
              }
            });
    Clients.Result status = clients.helm("status", "bellhop");
    assertThat(status.exitCode()).isNotZero();
    assertThat(status.err()).contains("not found");
    // As Helm documents: the CRDs stay (the local cluster's StatefulSet claims are directories, not
    // PVC objects).
    assertThat(
            kubectl(
                "get",
                "crd",
                "hotelservices.bellhop.dev",
                "consulclusters.bellhop.dev",
                "-o",
                "name"))
        .contains("hotelservices.bellhop.dev")
        .contains("consulclusters.bellhop.dev");
  }

  // ------------------------------------------------------------------ as a user

  private static String kubectl(String... args) {
    return clients.kubectl(args).orThrow().strip();
  }

  private static String helm(String... args) {
    return clients.helm(args).orThrow().strip();
  }

  private static List<String> words(String line) {
    return Arrays.asList(line.trim().split("\\s+"));
  }

  private static JsonNode consul(String path) throws IOException, InterruptedException {
    String ip = kubectl("get", "pod", "consul-server-0", "-o", "jsonpath={.status.podIP}");
    return consulAt(ip, path);
  }

  private static JsonNode consulAt(String ip, String path)
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

  /** Service instances in Consul's catalog that carry Bellhop's ownership meta. */
  private static int bellhopRegistrations(String consulIp)
      throws IOException, InterruptedException {
    int owned = 0;
    JsonNode services = consulAt(consulIp, "/v1/catalog/services");
    for (var it = services.fieldNames(); it.hasNext(); ) {
      for (JsonNode instance : consulAt(consulIp, "/v1/catalog/service/" + it.next())) {
        if ("bellhop".equals(instance.path("ServiceMeta").path("managed-by").asText())) {
          owned++;
        }
      }
    }
    return owned;
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("crds"))) {
      dir = dir.getParent();
    }
    return dir;
  }
}
