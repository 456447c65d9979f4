package dev.bellhop.localcluster;

import dev.bellhop.localcluster.clients.Clients;
import dev.bellhop.localcluster.clients.HelmInstall;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code make demo}: the whole hotel system in the local cluster, installed as a user installs it
 * ({@code kubectl apply -f crds/}, {@code helm install}, with the real binaries of {@code make
 * tools}); prints {@code READY} and a tour that works as printed, and stops everything on Ctrl-C.
 */
public final class Demo {
  static final String NAMESPACE = "bellhop";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

  private Demo() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (Exception e) {
      System.out.println("FAILED: " + e.getMessage());
      e.printStackTrace();
      System.exit(1); // the shutdown hook stops whatever had started
    }
  }

  private static void run(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    LocalCluster.Settings settings = LocalCluster.Settings.demo(root);
    Files.createDirectories(settings.stateDir());
    System.setProperty(
        "bellhop.local.log", settings.stateDir().resolve("local-cluster.log").toString());

    progress(
        "starting the local cluster: API server, 3 simulated nodes, kube-proxy, Ingress on "
            + settings.ingressHost()
            + ":"
            + settings.ingressPort());
    LocalCluster cluster = LocalCluster.start(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  progress("stopping: every pod's process, then the cluster");
                  cluster.close();
                  stopped.countDown();
                },
                "demo-shutdown"));
    progress(
        "API server "
            + cluster.apiUrl()
            + "  (kubeconfig "
            + root.relativize(settings.kubeconfig())
            + ")");

    Clients clients = new Clients(root, settings.kubeconfig(), settings.stateDir());
    progress("kubectl " + String.join(" ", HelmInstall.crdsCommand()));
    clients
        .kubectl(HelmInstall.crdsCommand().toArray(String[]::new))
        .orThrow()
        .lines()
        .forEach(l -> progress("  " + l));
    for (var command : HelmInstall.namespaceCommands()) {
      progress("kubectl " + String.join(" ", command));
      clients.kubectl(command.toArray(String[]::new)).orThrow();
    }
    progress("helm " + String.join(" ", HelmInstall.installCommand()));
    clients
        .helm(HelmInstall.installCommand().toArray(String[]::new))
        .orThrow()
        .lines()
        .filter(l -> l.startsWith("NAME:") || l.startsWith("STATUS:") || l.startsWith("REVISION:"))
        .forEach(l -> progress("  " + l));

    if (!awaitReady(cluster.client())) {
      System.out.println(
          "FAILED: not ready after "
              + START_TIMEOUT.toMinutes()
              + " minutes; pod logs are under "
              + root.relativize(settings.stateDir().resolve("pods"))
              + ", the cluster's own log is "
              + root.relativize(settings.stateDir().resolve("local-cluster.log")));
      System.exit(1);
    }
    String gateway = "http://" + settings.ingressHost() + ":" + settings.ingressPort();
    System.out.println("READY");
    System.out.println(Tour.text(root.relativize(settings.kubeconfig()).toString(), gateway));
    stopped.await();
  }

  /**
   * Waits until every HotelService is Ready and the gateway serves, printing progress as it
   * changes.
   */
  private static boolean awaitReady(KubernetesClient client) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      List<Pod> pods = client.pods().inNamespace(NAMESPACE).list().getItems();
      long readyPods = pods.stream().filter(Pods::ready).count();
      List<GenericKubernetesResource> hs =
          client
              .genericKubernetesResources("bellhop.dev/v1alpha1", "HotelService")
              .inNamespace(NAMESPACE)
              .list()
              .getItems();
      long readyHs = hs.stream().filter(Demo::ready).count();
      var gw = client.apps().deployments().inNamespace(NAMESPACE).withName("bellhop-gateway").get();
      int gwReady =
          gw == null || gw.getStatus() == null || gw.getStatus().getReadyReplicas() == null
              ? 0
              : gw.getStatus().getReadyReplicas();
      String now =
          "pods ready "
              + readyPods
              + "/"
              + pods.size()
              + ", HotelServices ready "
              + readyHs
              + "/"
              + hs.size()
              + ", gateway replicas ready "
              + gwReady;
      if (!now.equals(last)) {
        progress(now);
        last = now;
      }
      if (!hs.isEmpty() && readyHs == hs.size() && gwReady > 0) {
        return true;
      }
      Thread.sleep(1000);
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  static boolean ready(GenericKubernetesResource r) {
    Object status = r.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
      return false;
    }
    return conditions.stream()
        .map(c -> (Map<String, Object>) c)
        .anyMatch(c -> "Ready".equals(c.get("type")) && "True".equals(c.get("status")));
  }

  private static void progress(String line) {
    System.out.println("[demo] " + line);
  }
}
