package dev.bellhop.localcluster.kubelet;

import dev.bellhop.localcluster.EventHandlers;
import dev.bellhop.localcluster.Pods;
import dev.bellhop.localcluster.network.PodNetwork;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated kubelet of the three nodes, for the demo and tests only: it runs every pod
 * scheduled onto them as a host process ({@link PodRunner}). A finalizer of its own on each pod
 * gives it what a real kubelet has: the pod stays, with its deletionTimestamp, until the process
 * has stopped.
 */
public final class Kubelet implements AutoCloseable {
  public static final String FINALIZER = "localcluster.bellhop.dev/kubelet";
  private static final Logger log = LoggerFactory.getLogger(Kubelet.class);

  private final KubernetesClient client;
  private final PodNetwork network;
  private final Map<String, String> nodeIps;
  private final Path repoRoot;
  private final Path stateDir;
  private final java.net.URI apiUrl;

  /** The API server's CA (PEM): what a pod's {@code ca.crt} holds. */
  private final Path caFile;

  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers =
      Executors.newScheduledThreadPool(4, daemon("kubelet-timer"));
  private final ExecutorService work = Executors.newCachedThreadPool(daemon("kubelet"));
  private SharedIndexInformer<Pod> informer;

  public Kubelet(
      KubernetesClient client,
      PodNetwork network,
      Map<String, String> nodeIps,
      Path repoRoot,
      Path stateDir,
      String apiUrl,
      Path caFile) {
    this.client = client;
    this.caFile = caFile;
    this.network = network;
    this.nodeIps = nodeIps;
    this.repoRoot = repoRoot;
    this.stateDir = stateDir;
    this.apiUrl = java.net.URI.create(apiUrl);
  }

  public void start() {
    informer = client.pods().inAnyNamespace().inform(EventHandlers.of(this::handle, this::removed));
  }

  private void handle(Pod pod) {
    String hostIp = pod.getSpec() == null ? null : nodeIps.get(pod.getSpec().getNodeName());
    if (hostIp == null) {
      return; // not scheduled onto a simulated node
    }
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      PodRunner runner = runners.get(uid);
      if (runner != null) {
        long grace =
            pod.getMetadata().getDeletionGracePeriodSeconds() != null
                ? pod.getMetadata().getDeletionGracePeriodSeconds()
                : pod.getSpec().getTerminationGracePeriodSeconds() != null
                    ? pod.getSpec().getTerminationGracePeriodSeconds()
                    : 30;
        work.execute(
            () -> {
              if (runner.terminate(grace)) {
                release(pod);
              }
            });
      } else if (runner == null) {
        work.execute(() -> release(pod));
      }
      return;
    }
    if (!runners.containsKey(uid)) {
      PodRunner runner = new PodRunner(this, pod, network.assign(pod), hostIp);
      runners.put(uid, runner);
      work.execute(
          () -> {
            if (pod.getMetadata().getFinalizers() == null
                || !pod.getMetadata().getFinalizers().contains(FINALIZER)) {
              edit(pod, p -> p.getMetadata().getFinalizers().add(FINALIZER));
            }
            runner.start();
          });
    }
  }

  /** The container stopped: the pod may go. */
  private void release(Pod pod) {
    edit(pod, p -> p.getMetadata().getFinalizers().remove(FINALIZER));
  }

  private void removed(Pod pod) {
    PodRunner runner = runners.remove(pod.getMetadata().getUid());
    if (runner != null) {
      runner.kill();
      network.release(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
      work.execute(
          () -> {
            try {
              Files.deleteIfExists(stateDir.resolve("pids").resolve(pod.getMetadata().getUid()));
            } catch (IOException e) {
              // the sweep at the next start removes it
            }
            PodRunner.deleteQuietly(podDir(pod));
          });
    }
  }

  private void edit(Pod pod, java.util.function.Consumer<Pod> change) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .edit(
              p -> {
                if (p.getMetadata().getFinalizers() == null) {
                  p.getMetadata().setFinalizers(new ArrayList<>());
                }
                change.accept(p);
                return p;
              });
    } catch (KubernetesClientException e) {
      log.atDebug()
          .addKeyValue("pod", Pods.name(pod))
          .addKeyValue("error", e.getMessage())
          .log("pod not edited");
    }
  }

  PodSandbox sandbox(Pod pod, String podIp, String hostIp) {
    return new PodSandbox(
        client, network, pod, podIp, hostIp, podDir(pod), stateDir.resolve("claims"));
  }

  private Path podDir(Pod pod) {
    return podDir(
        stateDir,
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        pod.getMetadata().getUid());
  }

  /** A pod's directory: its volumes, scratch space and container logs ({@link ContainerLog}). */
  public static Path podDir(Path stateDir, String namespace, String name, String uid) {
    return stateDir.resolve("pods").resolve(namespace + "." + name + "." + uid);
  }

  /** Recorded so that {@link #sweep} can stop it should this JVM die without stopping it. */
  void recordPid(Pod pod, long pid) {
    try {
      Path dir = Files.createDirectories(stateDir.resolve("pids"));
      Files.writeString(dir.resolve(pod.getMetadata().getUid()), Long.toString(pid));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the processes that an earlier local cluster in {@code stateDir} left running. */
  public static int sweep(Path stateDir) {
    Path pids = stateDir.resolve("pids");
    if (!Files.isDirectory(pids)) {
      return 0;
    }
    int killed = 0;
    try (var files = Files.list(pids)) {
      for (Path f : files.toList()) {
        long pid = Long.parseLong(Files.readString(f).trim());
        Path cwd;
        try {
          cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
        } catch (IOException e) {
          cwd = null; // gone
        }
        // Only a process running in one of our pod directories: a reused pid is someone else's.
        if (cwd != null && cwd.startsWith(stateDir.toAbsolutePath().resolve("pods"))) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
          killed++;
        }
        Files.delete(f);
      }
    } catch (IOException | NumberFormatException e) {
      log.atWarn()
          .addKeyValue("dir", pids)
          .addKeyValue("error", e.getMessage())
          .log("sweep incomplete");
    }
    return killed;
  }

  void warn(Pod pod, String reason, String message) {
    try {
      client
          .v1()
          .events()
          .inNamespace(pod.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      pod.getMetadata().getName()
                          + "."
                          + UUID.randomUUID().toString().substring(0, 8))
                  .withNamespace(pod.getMetadata().getNamespace())
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withKind("Pod")
                          .withApiVersion("v1")
                          .withName(pod.getMetadata().getName())
                          .withNamespace(pod.getMetadata().getNamespace())
                          .withUid(pod.getMetadata().getUid())
                          .build())
                  .withType("Warning")
                  .withReason(reason)
                  .withMessage(message)
                  .withNewSource()
                  .withComponent("kubelet")
                  .withHost(pod.getSpec().getNodeName())
                  .endSource()
                  .withFirstTimestamp(Instant.now().toString())
                  .withLastTimestamp(Instant.now().toString())
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      log.atDebug().addKeyValue("error", e.getMessage()).log("event not written");
    }
  }

  KubernetesClient client() {
    return client;
  }

  ScheduledExecutorService timers() {
    return timers;
  }

  Path repoRoot() {
    return repoRoot;
  }

  /**
   * The API server every pod's client is pointed at (as the kubelet's KUBERNETES_SERVICE_*
   * variables do).
   */
  java.net.URI apiUrl() {
    return apiUrl;
  }

  Path caFile() {
    return caFile;
  }

  /** Stops every pod's process at once: SIGTERM, then SIGKILL after a few seconds. */
  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    List<PodRunner> all = new ArrayList<>(runners.values());
    all.forEach(r -> work.execute(() -> r.terminate(5)));
    work.shutdown();
    try {
      work.awaitTermination(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    all.forEach(PodRunner::kill);
    timers.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
