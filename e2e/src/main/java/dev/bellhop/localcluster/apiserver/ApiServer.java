package dev.bellhop.localcluster.apiserver;

import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The local cluster's API server: a Vert.x HTTP server on the public address running the {@link
 * Chain} in front of fabric8's CRUD mock, which listens on an internal loopback port and serves
 * only as the store. Plain HTTP: every client is on this machine's loopback, and TLS would add a CA
 * to hand to kubectl, Helm and every pod for no protection gained. Writes the admin kubeconfig (a
 * fresh bearer token each start) and keeps an admin client for the cluster's own parts.
 */
public final class ApiServer implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApiServer.class);

  /**
   * Enough workers that the cluster's controllers, the operator and a user's kubectl are not queued
   * behind each other.
   */
  private static final int WORKERS = 32;

  /** The Kubernetes version this server reports ({@code /version}, OpenAPI's info). */
  public static final String GIT_VERSION = Front.GIT_VERSION;

  private final KubernetesMockServer store;
  private final Vertx vertx;
  private final HttpServer server;
  private final String url;
  private final String adminToken;
  private final KubernetesClient client;
  private final Front front;

  private ApiServer(
      KubernetesMockServer store,
      Vertx vertx,
      HttpServer server,
      Front front,
      String url,
      String adminToken,
      ServingCertificate tls) {
    this.front = front;
    this.store = store;
    this.vertx = vertx;
    this.server = server;
    this.url = url;
    this.adminToken = adminToken;
    Config config =
        new ConfigBuilder()
            .withMasterUrl(url)
            .withOauthToken(adminToken)
            .withCaCertData(tls == null ? null : tls.caData())
            .withNamespace("default")
            .withRequestRetryBackoffLimit(3)
            .build();
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * The front with the default stages (the admin token as system:masters, everything allowed, no
   * admission).
   */
  public static ApiServer start(String host, int port, Path kubeconfig) {
    return start(host, port, kubeconfig, stages -> {});
  }

  /**
   * @param port 0 for a free one
   * @param stages fills the chain (authentication, authorization, admission, endpoints, views); it
   *     is given the admin token that the kubeconfig carries
   */
  public static ApiServer start(
      String host, int port, Path kubeconfig, Consumer<Chain.Builder> stages) {
    return start(host, port, kubeconfig, stages, null);
  }

  /**
   * @param tls served over HTTPS with this certificate (the local cluster's), or plain HTTP when
   *     null (the front's own tests, which check the chain, not the transport)
   */
  public static ApiServer start(
      String host,
      int port,
      Path kubeconfig,
      Consumer<Chain.Builder> stages,
      ServingCertificate tls) {
    String adminToken = UUID.randomUUID().toString();
    Map<ServerRequest, Queue<ServerResponse>> expectations = new ConcurrentHashMap<>();
    KubernetesMockServer store = MockApiServer.crud(expectations);
    store.init(InetAddress.getLoopbackAddress(), 0);
    Vertx vertx = Vertx.vertx();
    try {
      Storage storage = new Storage("http://127.0.0.1:" + store.getPort());
      Chain.Builder builder = Chain.builder(adminToken).serving(storage);
      stages.accept(builder);
      Chain chain = builder.build();
      WorkerExecutor workers =
          vertx.createSharedWorkerExecutor("apiserver", WORKERS, 2, TimeUnit.MINUTES);
      Front front =
          new Front(chain, storage, chain.discovery(), new Watches(vertx, storage), workers);
      HttpServer server =
          vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setHost(host)
                      .setPort(port)
                      .setMaxWebSocketFrameSize(16 * 1024 * 1024)
                      .setMaxWebSocketMessageSize(64 * 1024 * 1024)
                      .setSsl(tls != null)
                      .setKeyCertOptions(
                          tls == null
                              ? null
                              : new io.vertx.core.net.PemKeyCertOptions()
                                  .setCertValue(io.vertx.core.buffer.Buffer.buffer(tls.certPem()))
                                  .setKeyValue(io.vertx.core.buffer.Buffer.buffer(tls.keyPem()))))
              .requestHandler(front);
      server = server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      String url = (tls == null ? "http://" : "https://") + host + ":" + server.actualPort();
      writeKubeconfig(kubeconfig, url, adminToken, tls);
      return new ApiServer(store, vertx, server, front, url, adminToken, tls);
    } catch (Exception e) {
      vertx.close();
      store.destroy();
      throw new IllegalStateException(
          "the local API server cannot listen on "
              + host
              + ":"
              + port
              + " (is another local cluster running?)",
          e);
    }
  }

  private static void writeKubeconfig(Path file, String url, String token, ServingCertificate tls) {
    String yaml =
        """
        # The Bellhop local cluster (make demo): an embedded API server, simulated nodes.
        apiVersion: v1
        kind: Config
        clusters:
          - name: bellhop-local
            cluster:
              server: %s%s
        users:
          - name: bellhop-local
            user:
              token: %s
        contexts:
          - name: bellhop-local
            context:
              cluster: bellhop-local
              user: bellhop-local
              namespace: bellhop
        current-context: bellhop-local
        """
            .formatted(
                url,
                tls == null ? "" : "\n      certificate-authority-data: " + tls.caData(),
                token);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client as the admin (system:masters: authorization skipped, admission applies). */
  public KubernetesClient client() {
    return client;
  }

  public String url() {
    return url;
  }

  /** The bearer token of the admin kubeconfig. */
  public String adminToken() {
    return adminToken;
  }

  @Override
  public void close() {
    log.atInfo()
        .addKeyValue("url", url)
        .addKeyValue("served", front.served(12))
        .log("API server stopped");
    client.close();
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway: the store goes next
    }
    store.destroy();
  }
}
