package dev.bellhop.localcluster.workloads;

import dev.bellhop.localcluster.Pods;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What kube-controller-manager does for the workloads the manifests use: Deployments, StatefulSets
 * and DaemonSets get their pods (created, scaled, rolled on a template change) and their status;
 * Jobs (the chart's pre-delete hook) run a pod to completion. The pods of a deleted workload go
 * with it through the garbage collector ({@code controllers.GarbageCollector}), as on a real
 * cluster. Level-triggered: every {@link #sync()} reads the API server and fixes what differs, so
 * it can run after any event, in any order.
 */
public final class WorkloadController {
  private static final Logger log = LoggerFactory.getLogger(WorkloadController.class);

  private final KubernetesClient client;
  private final PodFactory pods;
  private final List<String> nodes;

  public WorkloadController(KubernetesClient client, List<String> nodes, String finalizer) {
    this.client = client;
    this.nodes = nodes;
    this.pods = new PodFactory(nodes, finalizer);
  }

  /** One pass over every workload. */
  public synchronized void sync() {
    // Grows as this pass creates pods, so that the next one is scheduled knowing them.
    List<Pod> all = new ArrayList<>(client.pods().inAnyNamespace().list().getItems());
    Map<String, List<Pod>> byOwner = new HashMap<>();
    for (Pod p : all) {
      OwnerReference o = Pods.controller(p);
      if (o != null) {
        byOwner.computeIfAbsent(o.getUid(), k -> new ArrayList<>()).add(p);
      }
    }
    each(client.apps().deployments(), byOwner, all, this::deployment);
    each(client.apps().statefulSets(), byOwner, all, this::statefulSet);
    each(client.apps().daemonSets(), byOwner, all, this::daemonSet);
    each(client.batch().v1().jobs(), byOwner, all, this::job);
  }

  /** A kind's pass over one workload, given the pods it controls and all pods. */
  private interface Pass<T> {
    void run(T workload, List<Pod> owned, List<Pod> all);
  }

  /** Runs a kind's pass over each of its workloads, one failing pass not stopping the rest. */
  private static <T extends HasMetadata> void each(
      MixedOperation<T, ? extends KubernetesResourceList<T>, ?> kind,
      Map<String, List<Pod>> byOwner,
      List<Pod> all,
      Pass<T> pass) {
    for (T w : kind.inAnyNamespace().list().getItems()) {
      guarded(w, () -> pass.run(w, byOwner.getOrDefault(w.getMetadata().getUid(), List.of()), all));
    }
  }

  // ------------------------------------------------------------------ Deployments

  private void deployment(Deployment d, List<Pod> owned, List<Pod> all) {
    String hash = PodFactory.templateHash(d.getSpec().getTemplate());
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    List<Pod> live =
        owned.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    List<Pod> current = live.stream().filter(p -> hash.equals(PodFactory.hashOf(p))).toList();
    List<Pod> old = live.stream().filter(p -> !hash.equals(PodFactory.hashOf(p))).toList();
    for (int i = current.size(); i < replicas; i++) {
      create(pods.forDeployment(d, hash, all), all);
    }
    if (current.size() > replicas) {
      // Scale down the least useful first: not ready, then the youngest.
      current.stream()
          .sorted(
              Comparator.comparing((Pod p) -> Pods.ready(p))
                  .thenComparing(
                      p -> p.getMetadata().getCreationTimestamp(), Comparator.reverseOrder()))
          .limit(current.size() - replicas)
          .forEach(this::delete);
    }
    long readyCurrent = current.stream().filter(Pods::ready).count();
    if (readyCurrent >= replicas) {
      old.forEach(this::delete); // the new pods serve: the old ones go (a surge roll)
    }
    DeploymentStatus s = new DeploymentStatus();
    s.setObservedGeneration(d.getMetadata().getGeneration());
    s.setReplicas(live.size());
    s.setUpdatedReplicas(current.size());
    s.setReadyReplicas((int) live.stream().filter(Pods::ready).count());
    s.setAvailableReplicas(s.getReadyReplicas());
    s.setUnavailableReplicas(Math.max(0, replicas - s.getReadyReplicas()));
    writeStatus(client.apps().deployments().resource(d), d.getStatus(), s, Deployment::setStatus);
  }

  // ------------------------------------------------------------------ StatefulSets

  private void statefulSet(StatefulSet set, List<Pod> owned, List<Pod> all) {
    String hash = PodFactory.templateHash(set.getSpec().getTemplate());
    int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    boolean parallel = "Parallel".equals(set.getSpec().getPodManagementPolicy());
    Map<Integer, Pod> byOrdinal = new HashMap<>();
    owned.forEach(p -> byOrdinal.put(PodFactory.ordinal(p), p));
    for (int i = 0; i < replicas; i++) {
      if (!byOrdinal.containsKey(i)) {
        create(pods.forStatefulSet(set, i, hash, all), all);
        if (!parallel) {
          break; // OrderedReady: one at a time, each once the lower ones are ready
        }
      } else if (!parallel && !Pods.ready(byOrdinal.get(i))) {
        break;
      }
    }
    byOrdinal.forEach(
        (ordinal, p) -> {
          if (ordinal >= replicas && p.getMetadata().getDeletionTimestamp() == null) {
            delete(p);
          }
        });
    // Roll one pod at a time, highest ordinal first, while all the others serve; with OnDelete the
    // workload's owner deletes outdated pods itself (Bellhop's ConsulCluster servers) and they come
    // back new.
    boolean onDelete =
        set.getSpec().getUpdateStrategy() != null
            && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
    boolean settled =
        !onDelete
            && owned.size() == replicas
            && owned.stream()
                .allMatch(p -> Pods.ready(p) && p.getMetadata().getDeletionTimestamp() == null);
    if (settled) {
      owned.stream()
          .filter(p -> !hash.equals(PodFactory.hashOf(p)))
          .max(Comparator.comparing(PodFactory::ordinal))
          .ifPresent(this::delete);
    }
    StatefulSetStatus s = new StatefulSetStatus();
    s.setObservedGeneration(set.getMetadata().getGeneration());
    s.setReplicas(owned.size());
    s.setReadyReplicas((int) owned.stream().filter(Pods::ready).count());
    s.setAvailableReplicas(s.getReadyReplicas());
    s.setCurrentReplicas(
        (int) owned.stream().filter(p -> hash.equals(PodFactory.hashOf(p))).count());
    s.setUpdatedReplicas(s.getCurrentReplicas());
    s.setCurrentRevision(set.getMetadata().getName() + "-" + hash);
    s.setUpdateRevision(s.getCurrentRevision());
    writeStatus(
        client.apps().statefulSets().resource(set), set.getStatus(), s, StatefulSet::setStatus);
  }

  // ------------------------------------------------------------------ DaemonSets

  private void daemonSet(DaemonSet ds, List<Pod> owned, List<Pod> all) {
    String hash = PodFactory.templateHash(ds.getSpec().getTemplate());
    Map<String, Pod> byNode = new HashMap<>();
    owned.forEach(p -> byNode.put(p.getSpec().getNodeName(), p));
    for (String node : nodes) {
      if (!byNode.containsKey(node)) {
        create(pods.forDaemonSet(ds, node, hash), all);
      }
    }
    boolean settled =
        owned.size() == nodes.size()
            && owned.stream()
                .allMatch(p -> Pods.ready(p) && p.getMetadata().getDeletionTimestamp() == null);
    if (settled) {
      owned.stream()
          .filter(p -> !hash.equals(PodFactory.hashOf(p)))
          .findFirst()
          .ifPresent(this::delete);
    }
    DaemonSetStatus s = new DaemonSetStatus();
    s.setObservedGeneration(ds.getMetadata().getGeneration());
    s.setDesiredNumberScheduled(nodes.size());
    s.setCurrentNumberScheduled(owned.size());
    s.setNumberReady((int) owned.stream().filter(Pods::ready).count());
    s.setNumberAvailable(s.getNumberReady());
    s.setUpdatedNumberScheduled(
        (int) owned.stream().filter(p -> hash.equals(PodFactory.hashOf(p))).count());
    s.setNumberMisscheduled(0);
    writeStatus(client.apps().daemonSets().resource(ds), ds.getStatus(), s, DaemonSet::setStatus);
  }

  // ------------------------------------------------------------------ Jobs

  /**
   * One pod at a time until one succeeds (completions and parallelism 1: what a Helm hook runs), a
   * new pod for each failure up to {@code backoffLimit} (default 6), and the conditions that
   * waiters read: {@code Complete}, or {@code Failed} with {@code BackoffLimitExceeded}.
   */
  private void job(Job job, List<Pod> owned, List<Pod> all) {
    JobStatus was = job.getStatus() == null ? new JobStatus() : job.getStatus();
    if (was.getConditions() != null
        && was.getConditions().stream()
            .anyMatch(c -> "Complete".equals(c.getType()) || "Failed".equals(c.getType()))) {
      return; // finished: its pods stay for their logs until the Job goes
    }
    List<Pod> active =
        owned.stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null && phase(p) == null)
            .toList();
    int succeeded = (int) owned.stream().filter(p -> "Succeeded".equals(phase(p))).count();
    int failed = (int) owned.stream().filter(p -> "Failed".equals(phase(p))).count();
    int backoffLimit =
        job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    String now = Instant.now().toString();
    JobStatus s = new JobStatus();
    s.setStartTime(was.getStartTime() == null ? now : was.getStartTime());
    s.setSucceeded(succeeded);
    s.setFailed(failed);
    if (succeeded > 0) {
      s.setCompletionTime(now);
      s.setConditions(
          List.of(
              condition("SuccessCriteriaMet", "CompletionsReached", now),
              condition("Complete", "CompletionsReached", now)));
    } else if (failed > backoffLimit) {
      active.forEach(this::delete);
      s.setConditions(
          List.of(
              condition("FailureTarget", "BackoffLimitExceeded", now),
              condition("Failed", "BackoffLimitExceeded", now)));
    } else if (active.isEmpty()) {
      create(pods.forJob(job, all), all);
      s.setActive(1);
    } else {
      s.setActive(active.size());
      s.setReady((int) active.stream().filter(Pods::ready).count());
    }
    writeStatus(client.batch().v1().jobs().resource(job), job.getStatus(), s, Job::setStatus);
  }

  /** "Succeeded" or "Failed" once a pod has ended for good; null while it runs or waits. */
  private static String phase(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase) ? phase : null;
  }

  private static JobCondition condition(String type, String reason, String now) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withLastProbeTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  // ------------------------------------------------------------------ parts

  private void create(Pod pod, List<Pod> all) {
    all.add(client.pods().resource(pod).create());
    log.atInfo()
        .addKeyValue("pod", name(pod))
        .addKeyValue("node", pod.getSpec().getNodeName())
        .log("pod created");
  }

  private void delete(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() == null) {
      client.pods().resource(pod).delete();
    }
  }

  /** Writes the status a pass worked out, when it is not the one stored. */
  private static <T, S> void writeStatus(
      Resource<T> workload, S stored, S status, BiConsumer<T, S> set) {
    if (!status.equals(stored)) {
      workload.editStatus(
          x -> {
            set.accept(x, status);
            return x;
          });
    }
  }

  private static void guarded(HasMetadata workload, Runnable pass) {
    try {
      pass.run();
    } catch (KubernetesClientException e) {
      // A conflict or a workload deleted meanwhile: the next pass sees the new state.
      log.atDebug()
          .addKeyValue("workload", workload.getKind() + "/" + name(workload))
          .setCause(e)
          .log("pass retried");
    }
  }

  static String name(HasMetadata o) {
    return Objects.toString(o.getMetadata().getNamespace(), "") + "/" + o.getMetadata().getName();
  }
}
