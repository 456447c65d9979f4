package dev.bellhop.localcluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiServer;
import dev.bellhop.localcluster.apiserver.Chain;
import dev.bellhop.localcluster.apiserver.ServingCertificate;
import dev.bellhop.localcluster.apiserver.admission.AdmissionPlugins;
import dev.bellhop.localcluster.apiserver.admission.OwnerReferencesPermissionEnforcement.ResourceMapper;
import dev.bellhop.localcluster.apiserver.authorization.AccessControl;
import dev.bellhop.localcluster.apiserver.logs.PodLogEndpoint;
import dev.bellhop.localcluster.apiserver.openapi.OpenApiEndpoint;
import dev.bellhop.localcluster.apiserver.printing.TableView;
import dev.bellhop.localcluster.apiserver.validation.CustomResourceValidation;
import dev.bellhop.localcluster.controllers.GarbageCollector;
import dev.bellhop.localcluster.controllers.ServiceAccountController;
import dev.bellhop.localcluster.kubelet.ContainerLog;
import dev.bellhop.localcluster.kubelet.Kubelet;
import dev.bellhop.localcluster.network.Endpoints;
import dev.bellhop.localcluster.network.IngressProxy;
import dev.bellhop.localcluster.network.PodNetwork;
import dev.bellhop.localcluster.network.ServiceProxy;
import dev.bellhop.localcluster.workloads.WorkloadController;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kubernetes cluster on one machine, for {@code make demo} and the end-to-end tests: an embedded
 * API server, the workload controllers and the garbage collector, three simulated nodes whose
 * kubelet runs each pod as a host process on its own loopback address, a kube-proxy for Services
 * and an Ingress controller. The operator, Consul and the hotel services run in it as they would in
 * a cluster, from the same CRDs and manifests.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

  /**
   * @param stateDir pods' directories, volumes, logs and the kubeconfig; emptied at start
   */
  public record Settings(
      Path repoRoot,
      Path stateDir,
      String apiHost,
      int apiPort,
      String ingressHost,
      int ingressPort) {
    /** The demo's fixed addresses: the API on 127.0.0.1:6443, the Ingress on 127.0.0.1:8080. */
    public static Settings demo(Path repoRoot) {
      return new Settings(
          repoRoot, repoRoot.resolve(".demo"), "127.0.0.1", 6443, "127.0.0.1", 8080);
    }

    public Path kubeconfig() {
      return stateDir.resolve("kubeconfig");
    }
  }

  private final Settings settings;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private ApiServer api;
  private IngressProxy ingress;
  private PodNetwork network;

  private LocalCluster(Settings settings) {
    this.settings = settings;
  }

  public static LocalCluster start(Settings settings) {
    LocalCluster cluster = new LocalCluster(settings);
    try {
      cluster.boot();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void boot() {
    // The API server's fixed address first: holding it proves no other local cluster uses this
    // state.
    AccessControl access = new AccessControl();
    ServingCertificate tls = ServingCertificate.generate(settings.apiHost());
    api =
        ApiServer.start(
            settings.apiHost(),
            settings.apiPort(),
            settings.kubeconfig(),
            chain -> apiStages(chain, access, settings.stateDir()),
            tls);
    parts.add(api);
    access.connect(api.client());
    parts.add(0, access);
    int swept = Kubelet.sweep(settings.stateDir());
    if (swept > 0) {
      log.atInfo()
          .addKeyValue("processes", swept)
          .log("stopped processes an earlier local cluster left running");
    }
    for (String dir : List.of("pods", "claims", "pids")) {
      deleteTree(settings.stateDir().resolve(dir));
    }
    KubernetesClient client = api.client();
    Nodes.register(client);
    ServiceAccountController serviceAccounts = new ServiceAccountController(client);
    parts.add(0, serviceAccounts);
    serviceAccounts.start();
    network = new PodNetwork(client);

    Vertx vertx = Vertx.vertx();
    parts.add(0, () -> vertx.close().toCompletionStage().toCompletableFuture().get());
    SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().inform();
    SharedIndexInformer<Service> services = client.services().inAnyNamespace().inform();
    SharedIndexInformer<Ingress> ingresses =
        client.network().v1().ingresses().inAnyNamespace().inform();
    parts.add(0, pods::close);
    parts.add(0, services::close);
    parts.add(0, ingresses::close);

    ServiceProxy proxy =
        new ServiceProxy(vertx, network, services.getStore(), pods.getStore(), Nodes.ips());
    parts.add(0, proxy);
    ControlLoop proxyLoop = new ControlLoop("kube-proxy", proxy::sync, 2000);
    parts.add(0, proxyLoop);
    services.addEventHandler(onAnyChange(proxyLoop));
    pods.addEventHandler(onAnyChange(proxyLoop));

    ingress =
        new IngressProxy(
            vertx,
            ingresses.getStore(),
            services.getStore(),
            new Endpoints(pods.getStore()),
            settings.ingressHost(),
            settings.ingressPort());
    parts.add(0, ingress);

    WorkloadController controller =
        new WorkloadController(client, Nodes.names(), Kubelet.FINALIZER);
    ControlLoop controllerLoop = new ControlLoop("controller-manager", controller::sync, 2000);
    parts.add(0, controllerLoop);
    pods.addEventHandler(onAnyChange(controllerLoop));
    parts.add(
        0, client.apps().deployments().inAnyNamespace().inform(onAnyChange(controllerLoop))::close);
    parts.add(
        0,
        client.apps().statefulSets().inAnyNamespace().inform(onAnyChange(controllerLoop))::close);
    parts.add(
        0, client.apps().daemonSets().inAnyNamespace().inform(onAnyChange(controllerLoop))::close);
    parts.add(
        0, client.batch().v1().jobs().inAnyNamespace().inform(onAnyChange(controllerLoop))::close);

    GarbageCollector gc = new GarbageCollector(client);
    ControlLoop gcLoop = new ControlLoop("garbage-collector", gc::sync, 2000);
    parts.add(0, gcLoop);
    parts.add(0, gc);
    gc.start(gcLoop::trigger);

    Kubelet kubelet =
        new Kubelet(
            client,
            network,
            Nodes.ips(),
            settings.repoRoot(),
            settings.stateDir(),
            api.url(),
            writeCa(settings.stateDir(), tls));
    // Stopped first: the pods' processes end before the API and the proxies go.
    parts.add(0, kubelet);
    kubelet.start();
    log.atInfo()
        .addKeyValue("api", api.url())
        .addKeyValue("kubeconfig", settings.kubeconfig())
        .log("local cluster started");
  }

  /**
   * The API server's chain, assembled here and nowhere else: authentication, authorization, then
   * admission plugins in kube's order (mutating, validation, validating), and the endpoints and
   * views that serve what the front does not: OpenAPI v3 (kubectl's validation), pod logs from the
   * kubelet's files under {@code stateDir}, Tables for {@code kubectl get}. Where no stage is added
   * the front's defaults hold: the admin token is system:masters, everything is allowed.
   */
  private void apiStages(Chain.Builder chain, AccessControl access, Path stateDir) {
    // Authentication, RBAC, the access reviews and the ServiceAccount plugin (mutating: it runs
    // first).
    access.install(chain);
    // Custom resources against their CRD's schema first: kube validates an object before its
    // validating plugins.
    chain.admit(CustomResourceValidation.create(() -> api.client()));
    // kube's built-in rules; PodSecurity reads namespaces through the admin client once the server
    // is up.
    AdmissionPlugins.builtIn(
            (user, request) -> chain.authorizer().authorize(user, request),
            namespace -> namespaceLabels(namespace),
            ResourceMapper::guess)
        .forEach(chain::admit);
    endpointsAndViews(chain, stateDir);
  }

  private java.util.Map<String, String> namespaceLabels(String namespace) {
    if (api == null) {
      return java.util.Map
          .of(); // the front answers before start() returns; the cluster's own parts write later
    }
    var ns = api.client().namespaces().withName(namespace).get();
    return ns == null || ns.getMetadata().getLabels() == null
        ? java.util.Map.of()
        : ns.getMetadata().getLabels();
  }

  /**
   * What the front serves beside the store: OpenAPI v3, pod logs from the kubelet's files, Tables.
   */
  static void endpointsAndViews(Chain.Builder chain, Path stateDir) {
    Clock clock = Clock.systemUTC();
    chain.endpoint(new OpenApiEndpoint(ApiServer.GIT_VERSION, chain.discovery(), chain.stored()));
    chain.endpoint(
        new PodLogEndpoint(
            chain.stored(),
            (pod, container) -> {
              JsonNode meta = pod.path("metadata");
              Path dir =
                  Kubelet.podDir(
                      stateDir,
                      meta.path("namespace").asText(),
                      meta.path("name").asText(),
                      meta.path("uid").asText());
              return new Path[] {
                ContainerLog.current(dir, container), ContainerLog.previous(dir, container)
              };
            },
            clock));
    chain.view(new TableView(chain.stored(), clock));
  }

  /** The CA every pod trusts the API server by (a real kubelet projects it as {@code ca.crt}). */
  private static Path writeCa(Path stateDir, ServingCertificate tls) {
    Path file = stateDir.resolve("ca.crt");
    try {
      Files.createDirectories(stateDir);
      Files.writeString(file, tls.caPem());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static <T> ResourceEventHandler<T> onAnyChange(ControlLoop loop) {
    return EventHandlers.onAnyChange(loop::trigger);
  }

  public KubernetesClient client() {
    return api.client();
  }

  public String apiUrl() {
    return api.url();
  }

  /** Where the Ingress listens, {@code http://host:port}. */
  public String ingressUrl() {
    return "http://" + settings.ingressHost() + ":" + ingress.port();
  }

  /** The address a pod reaches a Service at, as the pod's cluster DNS name resolves. */
  public String clusterIp(String namespace, String service) {
    return network.clusterIp(namespace, service);
  }

  /** The process of a pod's container now (empty when it is not running). */
  public java.util.Optional<ProcessHandle> podProcess(Pod pod) {
    Path pidFile = settings.stateDir().resolve("pids").resolve(pod.getMetadata().getUid());
    try {
      return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
          .filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /** Stops every pod's process, then the proxies and the API server. */
  @Override
  public void close() {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.atDebug()
            .addKeyValue("error", String.valueOf(e.getMessage()))
            .log("part did not close cleanly");
      }
    }
    parts.clear();
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty " + dir, e);
    }
  }
}
