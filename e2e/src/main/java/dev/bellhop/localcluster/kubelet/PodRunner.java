package dev.bellhop.localcluster.kubelet;

import dev.bellhop.localcluster.Pods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod on a simulated node: starts its container as a host process, probes it, writes the pod's
 * status, restarts the process when it exits as the pod's {@code restartPolicy} says (a Job's pod
 * ends {@code Succeeded} or {@code Failed} instead), and on deletion runs the preStop hook, sends
 * SIGTERM, waits the grace period, kills, and lets the pod go by removing the kubelet's finalizer.
 */
final class PodRunner {
  private static final Logger log = LoggerFactory.getLogger(PodRunner.class);
  private static final long MAX_BACKOFF_MS = 10_000;

  private final Kubelet kubelet;
  private final Pod pod;
  private final Container container;
  private final String podIp;
  private final String hostIp;
  private final String startTime = Instant.now().toString();
  private PodSandbox sandbox;
  private Process process;
  private ContainerLog containerLog;
  private boolean ready;
  private boolean terminating;
  private int restarts;
  private int failedStarts;
  private String startedAt;
  private ContainerStatus lastState;
  private String waiting = "ContainerCreating";
  private String waitingMessage;
  private int probeSuccesses;
  private int probeFailures;
  private int livenessFailures;
  private boolean started;
  private int startupFailures;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  private ScheduledFuture<?> tokenRefresh;

  /** "Succeeded" or "Failed" once the container has ended for good (restartPolicy); else null. */
  private String finalPhase;

  PodRunner(Kubelet kubelet, Pod pod, String podIp, String hostIp) {
    this.kubelet = kubelet;
    this.pod = pod;
    this.container = pod.getSpec().getContainers().get(0);
    this.podIp = podIp;
    this.hostIp = hostIp;
  }

  String name() {
    return Pods.name(pod);
  }

  synchronized void start() {
    try {
      if (pod.getSpec().getContainers().size() > 1) {
        throw new IllegalArgumentException("the local cluster runs one container a pod");
      }
      sandbox = kubelet.sandbox(pod, podIp, hostIp);
      sandbox.prepare();
      Map<String, String> env = sandbox.environment(container, kubelet.apiUrl(), kubelet.caFile());
      scheduleTokenRefresh();
      List<String> command = ContainerCommand.of(container, env, sandbox, kubelet.repoRoot());
      Path logFile = ContainerLog.current(sandbox.dir(), container.getName());
      ProcessBuilder pb =
          new ProcessBuilder(sessionOf(command))
              .directory(sandbox.dir().toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().clear();
      pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      pb.environment().putAll(env);
      process = pb.start();
      // The last run's copying ended with its process (a restart waits a back-off of 1 s or more).
      containerLog = ContainerLog.start(sandbox.dir(), container.getName());
      containerLog.pump(process, name());
      kubelet.recordPid(pod, process.pid());
      startedAt = Instant.now().toString();
      waiting = null;
      ready = container.getReadinessProbe() == null && container.getStartupProbe() == null;
      started = container.getStartupProbe() == null;
      startupFailures = 0;
      livenessFailures = 0;
      probeSuccesses = 0;
      probeFailures = 0;
      Process started = process;
      process.onExit().thenRun(() -> exited(started));
      log.atInfo()
          .addKeyValue("pod", name())
          .addKeyValue("ip", podIp)
          .addKeyValue("pid", process.pid())
          .addKeyValue("log", logFile)
          .log("container started");
      scheduleProbes();
    } catch (RuntimeException | IOException e) {
      // Like ImagePullBackOff or CreateContainerConfigError: reported on the pod, retried.
      waiting = "CreateContainerError";
      waitingMessage = e.getMessage();
      if (failedStarts++ == 0) {
        log.atWarn()
            .addKeyValue("pod", name())
            .addKeyValue("error", e.getMessage())
            .log("container cannot start");
        kubelet.warn(pod, "Failed", e.getMessage());
      }
      restartLater();
    }
    writeStatus();
  }

  /**
   * Projected tokens are rewritten at 80% of their lifetime, as the kubelet does: fabric8 re-reads
   * the token file at most a minute later (TokenRefreshInterceptor), well before the old one
   * expires.
   */
  private void scheduleTokenRefresh() {
    long seconds = sandbox.tokenSeconds();
    if (seconds <= 0 || tokenRefresh != null) {
      return;
    }
    long period = seconds * 8 / 10;
    tokenRefresh =
        kubelet
            .timers()
            .scheduleAtFixedRate(
                () -> {
                  try {
                    sandbox.writeTokens();
                  } catch (RuntimeException e) {
                    log.atWarn()
                        .addKeyValue("pod", name())
                        .addKeyValue("error", e.getMessage())
                        .log("token not refreshed");
                  }
                },
                period,
                period,
                TimeUnit.SECONDS);
  }

  /** The startup probe first, when there is one; readiness and liveness once it has passed. */
  private void scheduleProbes() {
    Probe startup = container.getStartupProbe();
    if (startup != null) {
      every(startup, () -> startupProbe(startup));
      return;
    }
    scheduleReadinessAndLiveness();
  }

  private void scheduleReadinessAndLiveness() {
    Probe readiness = container.getReadinessProbe();
    if (readiness != null) {
      every(readiness, () -> probe(readiness, true));
    }
    Probe liveness = container.getLivenessProbe();
    if (liveness != null) {
      every(liveness, () -> probe(liveness, false));
    }
  }

  /** Runs a probe's check after its initial delay, then each period (kube: 0 s and 10 s). */
  private void every(Probe probe, Runnable check) {
    timers.add(
        kubelet
            .timers()
            .scheduleWithFixedDelay(
                check,
                seconds(probe.getInitialDelaySeconds(), 0),
                seconds(probe.getPeriodSeconds(), 10),
                TimeUnit.SECONDS));
  }

  private void startupProbe(Probe probe) {
    Process p;
    synchronized (this) {
      if (terminating || started || process == null || !process.isAlive()) {
        return;
      }
      p = process;
    }
    boolean ok = ProbeCheck.passes(probe, container, podIp, sandbox);
    synchronized (this) {
      if (terminating || started || p != process) {
        return;
      }
      if (ok) {
        started = true;
        cancelTimers();
        scheduleReadinessAndLiveness();
        if (container.getReadinessProbe() == null) {
          ready = true;
          writeStatus();
        }
      } else if (++startupFailures >= seconds(probe.getFailureThreshold(), 3)) {
        log.atInfo()
            .addKeyValue("pod", name())
            .log("startup probe failed: restarting the container");
        kubelet.warn(pod, "Unhealthy", "Startup probe failed");
        process.destroy();
      }
    }
  }

  private void probe(Probe probe, boolean readiness) {
    Process p;
    synchronized (this) {
      if (terminating || process == null || !process.isAlive()) {
        return;
      }
      p = process;
    }
    boolean ok = ProbeCheck.passes(probe, container, podIp, sandbox);
    synchronized (this) {
      if (terminating || p != process) {
        return;
      }
      if (!readiness) {
        livenessFailures = ok ? 0 : livenessFailures + 1;
        if (livenessFailures >= seconds(probe.getFailureThreshold(), 3)) {
          log.atInfo()
              .addKeyValue("pod", name())
              .log("liveness probe failed: restarting the container");
          kubelet.warn(pod, "Unhealthy", "Liveness probe failed");
          livenessFailures = 0;
          process.destroy();
        }
        return;
      }
      probeSuccesses = ok ? probeSuccesses + 1 : 0;
      probeFailures = ok ? 0 : probeFailures + 1;
      boolean now = ready;
      if (!ready && probeSuccesses >= seconds(probe.getSuccessThreshold(), 1)) {
        now = true;
      } else if (ready && probeFailures >= seconds(probe.getFailureThreshold(), 3)) {
        now = false;
      }
      if (now != ready) {
        ready = now;
        log.atInfo()
            .addKeyValue("pod", name())
            .addKeyValue("ready", ready)
            .log("readiness changed");
        writeStatus();
      }
    }
  }

  /**
   * The process ended on its own (crash, kill, liveness): not ready now, and started again after a
   * back-off unless the pod's {@code restartPolicy} ends it here ({@code Never}; {@code OnFailure}
   * after a zero exit code), as a Job's pod.
   */
  private synchronized void exited(Process p) {
    if (p != process || terminating) {
      return;
    }
    int code = p.exitValue();
    String policy = pod.getSpec().getRestartPolicy();
    boolean restart = !"Never".equals(policy) && !("OnFailure".equals(policy) && code == 0);
    log.atInfo()
        .addKeyValue("pod", name())
        .addKeyValue("exitCode", code)
        .log(restart ? "container exited: restarting" : "container exited: pod finished");
    String message = terminationMessage(code);
    lastState =
        new ContainerStatusBuilder()
            .withState(
                new ContainerStateBuilder()
                    .withNewTerminated()
                    .withExitCode(code)
                    .withReason(code == 0 ? "Completed" : "Error")
                    .withMessage(message.isEmpty() ? null : message)
                    .withStartedAt(startedAt)
                    .withFinishedAt(Instant.now().toString())
                    .endTerminated()
                    .build())
            .build();
    ready = false;
    process = null;
    cancelTimers();
    if (!restart) {
      finalPhase = code == 0 ? "Succeeded" : "Failed";
      stopTokenRefresh();
      writeStatus();
      return;
    }
    restarts++;
    waiting = "CrashLoopBackOff";
    waitingMessage = "back-off restarting the container";
    writeStatus();
    restartLater();
  }

  /** What the container left in its termination file, or its log's end (see its policy). */
  private String terminationMessage(int code) {
    ContainerLog runLog = containerLog;
    return TerminationMessage.read(
        sandbox.terminationLog(),
        container.getTerminationMessagePolicy(),
        code,
        () -> {
          // The log's last lines are what the fallback is for: let them reach the file first.
          runLog.awaitClosed(2000);
          return TerminationMessage.logTail(
              ContainerLog.current(sandbox.dir(), container.getName()));
        });
  }

  private void restartLater() {
    long delay = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(restarts + failedStarts, 4));
    timers.add(
        kubelet
            .timers()
            .schedule(
                () -> {
                  synchronized (this) {
                    if (!terminating && process == null) {
                      start();
                    }
                  }
                },
                delay,
                TimeUnit.MILLISECONDS));
  }

  /**
   * What the kubelet does once the pod has a deletionTimestamp: preStop hook, SIGTERM, the grace
   * period, SIGKILL. Blocking: run on its own thread. False when termination had already begun.
   */
  boolean terminate(long graceSeconds) {
    Process p;
    synchronized (this) {
      if (terminating) {
        return false; // another event of the same deletion, or the cluster is stopping
      }
      terminating = true;
      cancelTimers();
      stopTokenRefresh();
      p = process;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
    if (p != null && p.isAlive()) {
      preStop();
      log.atInfo().addKeyValue("pod", name()).log("SIGTERM");
      p.destroy();
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
          log.atInfo().addKeyValue("pod", name()).log("grace period over: SIGKILL");
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    return true;
  }

  private void preStop() {
    var lifecycle = container.getLifecycle();
    var hook = lifecycle == null ? null : lifecycle.getPreStop();
    if (hook == null) {
      return;
    }
    try {
      if (hook.getSleep() != null) {
        Thread.sleep(hook.getSleep().getSeconds() * 1000L);
      } else if (hook.getExec() != null) {
        Process p =
            new ProcessBuilder(hook.getExec().getCommand().stream().map(sandbox::map).toList())
                .directory(sandbox.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      log.atWarn()
          .addKeyValue("pod", name())
          .addKeyValue("error", e.getMessage())
          .log("preStop hook failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills at once (the pod is gone from the API, or the cluster stops). */
  synchronized void kill() {
    terminating = true;
    cancelTimers();
    stopTokenRefresh();
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private void stopTokenRefresh() {
    if (tokenRefresh != null) {
      tokenRefresh.cancel(false);
    }
  }

  /** Probes and restarts; the token refresh goes only with the pod ({@link #stopTokenRefresh}). */
  private void cancelTimers() {
    timers.forEach(t -> t.cancel(false));
    timers.clear();
  }

  private void writeStatus() {
    boolean running = process != null && process.isAlive();
    ContainerStatusBuilder cs =
        new ContainerStatusBuilder()
            .withName(container.getName())
            .withImage(container.getImage())
            .withImageID("local://" + container.getImage())
            .withReady(ready)
            .withStarted(running && started)
            .withRestartCount(restarts);
    if (finalPhase != null) {
      cs.withState(lastState.getState()).withStarted(false);
    } else if (running) {
      cs.withNewState().withNewRunning().withStartedAt(startedAt).endRunning().endState();
    } else {
      cs.withNewState()
          .withNewWaiting()
          .withReason(waiting)
          .withMessage(waitingMessage)
          .endWaiting()
          .endState();
    }
    if (lastState != null && finalPhase == null) {
      cs.withLastState(lastState.getState());
    }
    List<PodCondition> conditions =
        List.of(
            condition("PodScheduled", true), condition("Initialized", true),
            condition("ContainersReady", ready), condition("Ready", ready));
    PodStatus status =
        new PodStatusBuilder()
            .withPhase(
                finalPhase != null ? finalPhase : running || restarts > 0 ? "Running" : "Pending")
            .withPodIP(podIp)
            .addNewPodIP(podIp)
            .withHostIP(hostIp)
            .addNewHostIP(hostIp)
            .withStartTime(startTime)
            .withConditions(conditions)
            .withContainerStatuses(cs.build())
            .build();
    try {
      kubelet
          .client()
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .editStatus(
              p -> {
                p.setStatus(status);
                return p;
              });
    } catch (KubernetesClientException e) {
      log.atDebug()
          .addKeyValue("pod", name())
          .addKeyValue("error", e.getMessage())
          .log("status not written");
    }
  }

  /**
   * In a session of its own, as a container is: a Ctrl-C at the demo's terminal reaches the demo,
   * which stops its pods as a kubelet does, not every pod at once. {@code setsid} execs in place,
   * so the pid stays the container's.
   */
  private static List<String> sessionOf(List<String> command) {
    if (!Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      return command;
    }
    List<String> out = new ArrayList<>();
    out.add("/usr/bin/setsid");
    out.addAll(command);
    return out;
  }

  private static PodCondition condition(String type, boolean status) {
    return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False").build();
  }

  private static long seconds(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: a pod's scratch space
    }
  }
}
