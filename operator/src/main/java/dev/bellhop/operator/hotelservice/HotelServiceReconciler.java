package dev.bellhop.operator.hotelservice;

import static dev.bellhop.operator.crd.Conditions.INVALID;
import static dev.bellhop.operator.crd.Conditions.READY;
import static dev.bellhop.operator.crd.Conditions.REGISTERED;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.registration.ConsulRejectedException;
import dev.bellhop.operator.registration.ConsulUnavailableException;
import dev.bellhop.operator.registration.Registration;
import dev.bellhop.operator.registration.RegistrationSync;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a HotelService's workload running (when it names an image) and its ready pod endpoints
 * registered in Consul: reads the pods, decides the registrations, writes the difference, and
 * reports it in status.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "deployment", type = DeploymentDependentResource.class,
        reconcilePrecondition = ManagedWorkloadCondition.class),
    @Dependent(name = "service", type = ServiceDependentResource.class,
        reconcilePrecondition = ManagedWorkloadCondition.class)})
@ControllerConfiguration(name = "hotelservice")
public class HotelServiceReconciler implements Reconciler<HotelService>, Cleaner<HotelService>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HotelServiceReconciler.class);
  static final Duration CONSUL_RETRY = Duration.ofSeconds(2);
  static final Duration CONSUL_CLUSTER_RECHECK = Duration.ofSeconds(5);
  static final Duration STATUS_INTERVAL = Duration.ofSeconds(1);

  private final ConsulTargets targets;
  private final RegistrationPlanner planner;
  private final KubernetesEvents events;
  private final Timer latency;
  private final Clock clock;
  private final SlimPodStore podStore = new SlimPodStore();
  private volatile InformerEventSource<Pod, HotelService> pods;
  private final Set<RegistrationSync> orphansSwept = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> lastStatusWrite = new ConcurrentHashMap<>();

  public HotelServiceReconciler(KubernetesClient client, OperatorConfig config, KubernetesEvents events,
      MeterRegistry meters, Clock clock) {
    String clusterId = config.clusterId();
    this.targets = new ConsulTargets(client, config.consulAddress(), config.consulToken(), clusterId,
        catalog -> new RegistrationSync(catalog, meters));
    this.planner = new RegistrationPlanner(clusterId);
    this.events = events;
    this.clock = clock;
    this.latency = Timer.builder("bellhop.registration.latency")
        .description("From a pod change seen by the operator to Consul holding it")
        .publishPercentileHistogram().register(meters);
  }

  @Override
  public List<EventSource<?, HotelService>> prepareEventSources(EventSourceContext<HotelService> context) {
    var config = InformerEventSourceConfiguration.from(Pod.class, HotelService.class)
        .withName("pods")
        .withSecondaryToPrimaryMapper(new PodToHotelServiceMapper(context.getPrimaryCache()::list))
        .withItemStore(podStore)
        .build();
    pods = new InformerEventSource<>(config, context);
    pods.addIndexers(Map.of(Labels.POD_INDEX, Labels::indexKeys));
    return List.of(pods);
  }

  @Override
  public UpdateControl<HotelService> reconcile(HotelService hs, Context<HotelService> context) {
    HotelServiceStatus status = copyOf(hs.getStatus());
    Long generation = hs.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    status.setConsulService(hs.getSpec() == null ? null : hs.consulServiceName());

    List<String> problems = HotelServiceValidator.validate(hs);
    if (!problems.isEmpty()) {
      // Registrations made before the spec went bad are kept: bad input loses nothing.
      String message = String.join("; ", problems);
      if (!Conditions.isTrue(status.getConditions(), INVALID)) {
        events.warning(hs, "Invalid", message);
      }
      setCondition(status, INVALID, true, "InvalidSpec", message, generation);
      setCondition(status, READY, false, "InvalidSpec", "The spec is invalid: " + message, generation);
      return statusUpdate(hs, status);
    }
    setCondition(status, INVALID, false, "Valid", "The spec is valid", generation);

    context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();

    var selector = Labels.effectiveSelector(hs);
    // The index narrows 10,000s of pods to those carrying one of the selector's labels.
    List<Pod> selected = pods.byIndex(Labels.POD_INDEX, Labels.indexKey(hs.getMetadata().getNamespace(), selector))
        .stream().filter(pod -> Labels.matches(selector, pod.getMetadata().getLabels())).toList();
    int ready = (int) selected.stream()
        .filter(p -> RegistrationPlanner.isLive(p) && RegistrationPlanner.isReady(p)).count();
    status.setReadyEndpoints(ready);

    ConsulTargets.Target target = targets.resolve(hs);
    if (target.engine() == null) {
      if (!Conditions.find(status.getConditions(), REGISTERED)
          .map(c -> "ConsulClusterNotReady".equals(c.getReason())).orElse(false)) {
        events.normal(hs, "WaitingForConsul", target.problem());
      }
      setCondition(status, REGISTERED, false, "ConsulClusterNotReady", target.problem(), generation);
      setCondition(status, READY, false, "ConsulClusterNotReady", target.problem(), generation);
      UpdateControl<HotelService> wait = statusUpdate(hs, status);
      return wait.rescheduleAfter(CONSUL_CLUSTER_RECHECK);
    }
    RegistrationSync sync = target.engine();
    sweepOrphansOnce(sync, context);
    String owner = RegistrationPlanner.owner(hs);
    leaveOtherConsuls(owner, target.key());
    List<Registration> desired = planner.desired(hs, selected, sync.registered(owner));
    RegistrationSync.SyncResult result = sync.sync(owner, desired);
    recordLatency(result);

    status.setRegisteredEndpoints(result.registered());
    setCondition(status, REGISTERED, true, "InSync",
        result.registered() + " endpoint(s) registered as " + hs.consulServiceName(), generation);
    int wanted = hs.getSpec().getImage() == null ? 1
        : Math.max(1, hs.getSpec().getReplicas() == null ? 1 : hs.getSpec().getReplicas());
    boolean isReady = ready >= wanted;
    setCondition(status, READY, isReady, isReady ? "EndpointsReady" : "WaitingForEndpoints",
        ready + " of " + wanted + " endpoint(s) ready", generation);
    return statusUpdate(hs, status);
  }

  @Override
  public ErrorStatusUpdateControl<HotelService> updateErrorStatus(HotelService hs, Context<HotelService> context,
      Exception e) {
    HotelServiceStatus status = copyOf(hs.getStatus());
    Long generation = hs.getMetadata().getGeneration();
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof ConsulUnavailableException)
        && !(cause instanceof ConsulRejectedException)) {
      cause = cause.getCause(); // JOSDK may wrap what the reconciler threw
    }
    String reason = cause instanceof ConsulUnavailableException ? "ConsulUnavailable"
        : cause instanceof ConsulRejectedException ? "ConsulRejected" : "ReconcileFailed";
    String message = cause.getMessage();
    boolean changed = !Conditions.find(status.getConditions(), REGISTERED)
        .map(c -> reason.equals(c.getReason())).orElse(false);
    if (changed) {
      events.warning(hs, reason, message);
      LOG.atWarn().addKeyValue("hotelservice", RegistrationPlanner.owner(hs)).addKeyValue("reason", reason)
          .addKeyValue("error", message).log("registration failed, retrying");
    }
    setCondition(status, REGISTERED, false, reason, message, generation);
    setCondition(status, READY, false, reason, message, generation);
    if (cause instanceof ConsulUnavailableException) {
      targets.invalidate(); // its servers may have moved: resolve the ConsulCluster afresh
    }
    if (status.equals(hs.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    hs.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(hs);
  }

  @Override
  public DeleteControl cleanup(HotelService hs, Context<HotelService> context) {
    String owner = RegistrationPlanner.owner(hs);
    if (hs.getSpec() != null) {
      targets.resolve(hs); // so that its Consul's engine exists after a restart
    }
    try {
      for (var engine : targets.engines()) {
        engine.getValue().sync(owner, List.of());
      }
      lastStatusWrite.remove(owner);
      return DeleteControl.defaultDelete();
    } catch (ConsulUnavailableException | ConsulRejectedException e) {
      events.warning(hs, "DeregistrationFailed", e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(CONSUL_RETRY.toMillis());
    }
  }

  /** A HotelService that moved to another Consul leaves the one it used before. */
  private void leaveOtherConsuls(String owner, String targetKey) {
    for (var engine : targets.engines()) {
      try {
        if (!engine.getKey().equals(targetKey) && !engine.getValue().registered(owner).isEmpty()) {
          engine.getValue().sync(owner, List.of());
        }
      } catch (ConsulUnavailableException | ConsulRejectedException e) {
        // That Consul is out of reach: registering in the new one must not wait for it.
        LOG.atWarn().addKeyValue("hotelservice", owner).addKeyValue("consul", engine.getKey())
            .addKeyValue("error", e.getMessage()).log("could not leave the previous Consul yet");
      }
    }
  }

  /**
   * Deregisters what Bellhop owns for HotelServices that no longer exist (entries left by an
   * earlier run). Runs on the first reconciliation: only then are the caches known to be synced,
   * so an empty cache can't be mistaken for "everything was deleted".
   */
  private void sweepOrphansOnce(RegistrationSync sync, Context<HotelService> context) {
    if (orphansSwept.contains(sync)) {
      return;
    }
    var informer = context.getControllerConfiguration().getInformerConfig();
    var cache = context.getPrimaryCache();
    int removed = sync.removeOrphans(owner -> {
      String[] parts = owner.split("/", 2);
      boolean watched = informer.watchAllNamespaces() || informer.getNamespaces().contains(parts[0]);
      return !watched || cache.get(new ResourceID(parts[1], parts[0])).isPresent();
    });
    orphansSwept.add(sync);
    if (removed > 0) {
      LOG.atInfo().addKeyValue("instances", removed).log("removed registrations of deleted HotelServices");
    }
  }

  private void recordLatency(RegistrationSync.SyncResult result) {
    long now = System.nanoTime();
    for (Registration r : result.changed()) {
      Long since = podStore.takeChangedAt(r.meta().get("k8s-namespace") + "/" + r.meta().get("k8s-pod"));
      if (since != null) {
        latency.record(now - since, TimeUnit.NANOSECONDS);
      }
    }
  }

  private void setCondition(HotelServiceStatus status, String type, boolean value, String reason, String message,
      Long generation) {
    status.setConditions(Conditions.set(status.getConditions(), type, value, reason, message, generation, clock));
  }

  /**
   * Writes status when it changed. Endpoint counts alone are written at most once a second per
   * HotelService: reconciles of one resource run one at a time, so a status write on every pod
   * event would hold up the next event's Consul write. Condition changes are written at once.
   */
  private UpdateControl<HotelService> statusUpdate(HotelService hs, HotelServiceStatus status) {
    HotelServiceStatus current = hs.getStatus();
    if (status.equals(current)) {
      return UpdateControl.noUpdate();
    }
    String owner = RegistrationPlanner.owner(hs);
    long now = System.nanoTime();
    Long last = lastStatusWrite.get(owner);
    if (last != null && now - last < STATUS_INTERVAL.toNanos() && sameConditions(status, current)) {
      return UpdateControl.<HotelService>noUpdate()
          .rescheduleAfter(Duration.ofNanos(STATUS_INTERVAL.toNanos() - (now - last)));
    }
    lastStatusWrite.put(owner, now);
    hs.setStatus(status);
    return UpdateControl.patchStatus(hs);
  }

  private static boolean sameConditions(HotelServiceStatus next, HotelServiceStatus current) {
    if (current == null || !Objects.equals(next.getObservedGeneration(), current.getObservedGeneration())
        || next.getConditions().size() != current.getConditions().size()) {
      return false;
    }
    for (var c : next.getConditions()) {
      boolean same = Conditions.find(current.getConditions(), c.getType())
          .map(o -> o.getStatus().equals(c.getStatus()) && Objects.equals(o.getReason(), c.getReason()))
          .orElse(false);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  private static HotelServiceStatus copyOf(HotelServiceStatus status) {
    HotelServiceStatus copy = new HotelServiceStatus();
    if (status != null) {
      copy.setObservedGeneration(status.getObservedGeneration());
      copy.setReadyEndpoints(status.getReadyEndpoints());
      copy.setRegisteredEndpoints(status.getRegisteredEndpoints());
      copy.setConsulService(status.getConsulService());
      copy.setConditions(status.getConditions() == null ? List.of() : List.copyOf(status.getConditions()));
    }
    return copy;
  }

  @Override
  public void close() {
    targets.close();
  }
}
