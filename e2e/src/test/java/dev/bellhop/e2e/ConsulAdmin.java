package dev.bellhop.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.LocalCluster;
import dev.bellhop.localcluster.clients.Clients;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a cluster admin does to a ConsulCluster on day two, with the tools they have: {@code
 * kubectl} (the project's real binary) for Kubernetes, Consul's HTTP API with the management token
 * from its Secret, and, for the disaster, the node's own disk.
 */
final class ConsulAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Clients clients;
  private final Path stateDir;
  private final String namespace;

  ConsulAdmin(Clients clients, Path stateDir, String namespace) {
    this.clients = clients;
    this.stateDir = stateDir;
    this.namespace = namespace;
  }

  /** {@code kubectl -n <ns> args...}; fails the test with kubectl's own error. */
  String kubectl(String... args) {
    return tryKubectl(args).orThrow();
  }

  /** {@code kubectl -n <ns> args...}, for a command that is meant to be refused. */
  Clients.Result tryKubectl(String... args) {
    return clients.kubectl(
        Stream.concat(Stream.of("-n", namespace), Stream.of(args)).toArray(String[]::new));
  }

  /** One field of an object, as {@code kubectl get <resource> <name> -o jsonpath={<path>}}. */
  String field(String resource, String name, String jsonPath) {
    return kubectl("get", resource, name, "-o", "jsonpath={" + jsonPath + "}");
  }

  /** Waits for a ConsulRestore to finish; its final phase. */
  String restoreOutcome(String name) {
    return await("ConsulRestore " + name + " finished")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> field("consulrestore", name, ".status.phase"),
            phase -> phase.equals("Succeeded") || phase.equals("Failed"));
  }

  /** {@code kubectl apply -f} of a manifest. */
  void apply(String yaml) throws IOException {
    Path file = Files.createTempFile("bellhop-e2e", ".yaml");
    try {
      Files.writeString(file, yaml);
      kubectl("apply", "-f", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** A key of a Secret, as {@code kubectl get secret -o jsonpath} and base64 -d give it. */
  String secret(String name, String key) {
    String b64 = kubectl("get", "secret", name, "-o", "jsonpath={.data." + key + "}");
    return new String(java.util.Base64.getDecoder().decode(b64.trim()));
  }

  /** A Consul HTTP call; the status code and body. */
  static HttpResponse<String> consul(
      String method, String serverIp, String path, String body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + serverIp + ":8500" + path))
            .timeout(Duration.ofSeconds(5))
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

  /**
   * The DNS names of the certificate a Consul node presents on its HTTPS port, the handshake
   * trusting only {@code caPem}; the address is not checked (no certificate names a pod IP).
   */
  static java.util.List<String> certificateNames(String ip, String caPem) throws Exception {
    var trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry(
        "ca",
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new java.io.ByteArrayInputStream(
                    caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    var trustManagers =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    var tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, trustManagers.getTrustManagers(), null);
    try (var socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(ip, 8501)) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
      var cert = (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
      return cert.getSubjectAlternativeNames().stream()
          .filter(san -> Integer.valueOf(2).equals(san.get(0)))
          .map(san -> String.valueOf(san.get(1)))
          .toList();
    }
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Where the local cluster keeps a PersistentVolumeClaim's data. */
  Path claim(String name) {
    return stateDir.resolve("claims").resolve(namespace + "." + name);
  }

  /**
   * Every server loses its data at once, as when their PersistentVolumeClaims are deleted: each
   * process killed and its data directory removed before the kubelet's restart back-off (2 s) ends,
   * so they start again empty and form a new raft cluster.
   */
  void loseAllServerData(LocalCluster cluster, List<Pod> servers) throws Exception {
    for (Pod server : servers) {
      Path data = claim("data-" + server.getMetadata().getName());
      assertThat(data).as("the server's data volume").isDirectory();
      ProcessHandle process = cluster.podProcess(server).orElseThrow();
      process.destroyForcibly();
      process.onExit().get(10, TimeUnit.SECONDS);
      try (Stream<Path> files = Files.walk(data)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          if (!p.equals(data)) {
            Files.delete(p);
          }
        }
      }
    }
  }
}
