package dev.bellhop.operator.hotelservice;

import static dev.bellhop.operator.crd.Conditions.READY;
import static dev.bellhop.operator.crd.Conditions.REGISTERED;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.registration.ConsulRejectedException;
import dev.bellhop.operator.registration.ConsulUnavailableException;
import dev.bellhop.operator.registration.InstanceMeta;
import dev.bellhop.operator.registration.Owner;
import dev.bellhop.operator.registration.Registration;
import dev.bellhop.operator.registration.RegistrationSync;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a HotelService's workload running (when it names an image) and its ready pod endpoints
 * registered in Consul: reads the pods, decides the registrations, writes the difference, and
 * reports it in status.
 *
 * <p>It sees every event, deletions included ({@code triggerReconcilerOnAllEvents}), and handles
 * its finalizer itself: the finalizer is added after a HotelService's first reconciliation has
 * written to Consul, not in an API round trip before it (JOSDK's way, which held up every
 * HotelService's first registration behind the API server). A HotelService deleted before it got
 * the finalizer has its instances deregistered on the delete event; one deleted while the operator
 * was down, by the orphan sweep. The Deployment and Service are standalone dependents reconciled
 * from here (JOSDK allows no managed workflow in this mode). Status and the finalizer are written
 * off the reconcile path ({@link StatusWriter}, {@link FinalizerWriter}).
 */
@ControllerConfiguration(name = "hotelservice", triggerReconcilerOnAllEvents = true)
public class HotelServiceReconciler implements Reconciler<HotelService>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HotelServiceReconciler.class);

  /**
   * JOSDK's default name for this resource's finalizer, kept so that existing HotelServices are
   * handled alike.
   */
  public static final String FINALIZER =
      ReconcilerUtils.getDefaultFinalizerName(HotelService.class);

  static final Duration CONSUL_RETRY = Duration.ofSeconds(2);
  static final Duration CONSUL_CLUSTER_RECHECK = Duration.ofSeconds(5);
  static final Duration STATUS_INTERVAL = Duration.ofSeconds(1);

  private final ConsulTargets targets;
  private final RegistrationPlanner planner;
  private final KubernetesEvents events;
  private final Timer latency;
  private final Clock clock;
  private final SlimPodStore podStore = new SlimPodStore();

  /** The HotelService informer's store: pod events are mapped through its selector-label index. */
  private final LabelIndexedStore<HotelService> hotelServiceStore =
      new LabelIndexedStore<>(Labels::indexKeys);

  private volatile InformerEventSource<Pod, HotelService> pods;
  private volatile InformerEventSource<ConsulCluster, HotelService> clusters;
  private final Set<RegistrationSync> orphansSwept = ConcurrentHashMap.newKeySet();
  private final StatusWriter statusWriter;
  private final DriftReporter drift;
  private final FinalizerWriter finalizers;
  private final Workflow<HotelService> workload;

  public HotelServiceReconciler(
      KubernetesClient client,
      OperatorConfig config,
      KubernetesEvents events,
      MeterRegistry meters,
      Clock clock) {
    String clusterId = config.clusterId();
    this.events = events;
    this.clock = clock;
    this.statusWriter = new StatusWriter(client, STATUS_INTERVAL);
    this.drift =
        new DriftReporter(
            owner -> hotelServiceStore.get(Cache.namespaceKeyFunc(owner.namespace(), owner.name())),
            statusWriter,
            events,
            clock);
    this.targets =
        new ConsulTargets(
            client,
            config.consulAddress(),
            config.consulToken(),
            clusterId,
            catalog -> new RegistrationSync(catalog, meters, true, config.consulReadBack(), drift));
    this.planner = new RegistrationPlanner(clusterId);
    this.finalizers = new FinalizerWriter(client, FINALIZER);
    this.workload = workloadWorkflow();
    this.latency =
        Timer.builder("bellhop.registration.latency")
            .description("From a pod change seen by the operator to Consul holding it")
            .publishPercentileHistogram()
            .register(meters);
  }

  @Override
  public List<EventSource<?, HotelService>> prepareEventSources(
      EventSourceContext<HotelService> context) {
    if (!hotelServiceStore.backs(
        context.getControllerConfiguration().getInformerConfig().getItemStore())) {
      throw new IllegalStateException(
          "register the HotelService reconciler with configuration(...)");
    }
    var cache = context.getPrimaryCache();
    var config =
        InformerEventSourceConfiguration.from(Pod.class, HotelService.class)
            .withName("pods")
            .withSecondaryToPrimaryMapper(
                new PodToHotelServiceMapper(hotelServiceStore::withIndexKey))
            .withPrimaryToSecondaryMapper(new HotelServiceToPodsMapper(podStore::withIndexKey))
            .withItemStore(podStore)
            .build();
    pods = new InformerEventSource<>(StorePerInformer.eventSource(config, podStore::view), context);
    // Reconciles a namespace's HotelServices again when the Consul they resolve to changed.
    var targetChanges = new SimpleInboundEventSource<HotelService>("consul-targets");
    targets.onChange(
        namespace ->
            cache
                .list(namespace)
                .forEach(hs -> targetChanges.propagateEvent(ResourceID.fromResource(hs))));
    // Which Consul a HotelService uses follows its namespace's ConsulClusters.
    clusters =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConsulCluster.class, HotelService.class)
                .withName("consulclusters")
                .withSecondaryToPrimaryMapper(
                    cc ->
                        cache
                            .list(cc.getMetadata().getNamespace())
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    targets.useClusterCache((namespace, name) -> clusters.get(new ResourceID(name, namespace)));
    List<EventSource<?, HotelService>> sources = new ArrayList<>();
    sources.add(pods);
    sources.add(targetChanges);
    sources.add(clusters);
    sources.addAll(EventSourceUtils.eventSourcesFromWorkflow(context, workload));
    return sources;
  }

  /**
   * The Deployment and Service, standalone dependents: created and kept in step while the
   * HotelService names an image, deleted when it no longer does. Their informers see only objects
   * Bellhop labelled.
   */
  private static Workflow<HotelService> workloadWorkflow() {
    var deployment = new DeploymentDependentResource();
    var service = new ServiceDependentResource();
    for (KubernetesDependentResource<?, HotelService> dependent : List.of(deployment, service)) {
      configure(dependent);
    }
    return new WorkflowBuilder<HotelService>()
        .addDependentResourceAndConfigure(deployment)
        .withReconcilePrecondition(new ManagedWorkloadCondition())
        .addDependentResourceAndConfigure(service)
        .withReconcilePrecondition(new ManagedWorkloadCondition())
        .build();
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> void configure(
      KubernetesDependentResource<R, HotelService> dependent) {
    dependent.configureWith(
        new KubernetesDependentResourceConfigBuilder<R>()
            .withKubernetesDependentInformerConfig(
                InformerConfiguration.builder(dependent.resourceType())
                    .withLabelSelector(Labels.MANAGED_BY_SELECTOR)
                    .build())
            .build());
  }

  /**
   * How this reconciler must be registered: {@code configured} (JOSDK's configuration for it, with
   * the operator's overrides) with Bellhop's HotelService store, a view of it for each namespace's
   * informer ({@link StorePerInformer}): pod events are mapped through its index.
   */
  public io.javaoperatorsdk.operator.api.config.ControllerConfiguration<HotelService> configuration(
      ControllerConfigurationOverrider<HotelService> configured) {
    return StorePerInformer.controller(
        configured.withItemStore(hotelServiceStore).build(), hotelServiceStore::view);
  }

  /** The Deployment and Service dependents (e.g. to derive the RBAC they need). */
  public Workflow<HotelService> workload() {
    return workload;
  }

  @Override
  public UpdateControl<HotelService> reconcile(HotelService hs, Context<HotelService> context) {
    if (context.isPrimaryResourceDeleted()) {
      deleted(hs);
      return UpdateControl.noUpdate();
    }
    if (hs.isMarkedForDeletion()) {
      return cleanup(hs, context);
    }
    UpdateControl<HotelService> control = reconcileLive(hs, context);
    if (hs.hasFinalizer(FINALIZER)) {
      return control;
    }
    // Its registrations, if any, are in Consul by now. Until the cache shows the finalizer, look
    // again shortly: an add that failed is then tried again.
    finalizers.add(hs);
    return control.rescheduleAfter(CONSUL_RETRY);
  }

  private UpdateControl<HotelService> reconcileLive(
      HotelService hs, Context<HotelService> context) {
    HotelServiceStatus status = copyOf(statusWriter.current(hs));
    Long generation = hs.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    status.setConsulService(hs.getSpec() == null ? null : hs.consulServiceName());

    List<String> problems = new ArrayList<>(HotelServiceValidator.validate(hs));
    problems.addAll(
        HotelServiceValidator.credentialReferences(
            hs, clusters.list(hs.getMetadata().getNamespace()).toList()));
    status.setConditions(
        Conditions.validated(
            status.getConditions(), problems, generation, clock, events.invalid(hs)));
    if (!problems.isEmpty()) {
      // Registrations made before the spec went bad are kept: bad input loses nothing.
      return statusUpdate(hs, status);
    }

    // Without an image and with no Deployment or Service left there is nothing to create or delete.
    if (hs.getSpec().managed()
        || context.getSecondaryResource(Deployment.class).isPresent()
        || context.getSecondaryResource(Service.class).isPresent()) {
      workload.reconcile(hs, context);
    }

    Set<Pod> selected = context.getSecondaryResources(Pod.class);
    int ready =
        (int)
            selected.stream()
                .filter(p -> RegistrationPlanner.isLive(p) && Readiness.isPodReady(p))
                .count();
    status.setReadyEndpoints(ready);

    ConsulTargets.Target target = targets.resolve(hs);
    if (target.engine() == null) {
      if (!Conditions.find(status.getConditions(), REGISTERED)
          .map(c -> "ConsulClusterNotReady".equals(c.getReason()))
          .orElse(false)) {
        events.normal(hs, "WaitingForConsul", target.problem());
      }
      Conditions.set(
          status, REGISTERED, false, "ConsulClusterNotReady", target.problem(), generation, clock);
      Conditions.set(
          status, READY, false, "ConsulClusterNotReady", target.problem(), generation, clock);
      return statusUpdate(hs, status).rescheduleAfter(CONSUL_CLUSTER_RECHECK);
    }
    RegistrationSync sync = target.engine();
    sweepOrphansOnce(sync, context);
    Owner owner = RegistrationPlanner.owner(hs);
    leaveOtherConsuls(owner, target.key());
    List<Registration> desired = planner.desired(hs, selected, sync.registered(owner));
    RegistrationSync.SyncResult result = sync.sync(owner, desired);
    recordLatency(result);

    status.setRegisteredEndpoints(result.registered());
    Conditions.set(
        status,
        REGISTERED,
        true,
        "InSync",
        inSyncMessage(result.registered(), hs),
        generation,
        clock);
    int wanted = hs.getSpec().managed() ? Math.max(1, hs.getSpec().replicasOrDefault()) : 1;
    boolean isReady = ready >= wanted;
    Conditions.set(
        status,
        READY,
        isReady,
        isReady ? "EndpointsReady" : "WaitingForEndpoints",
        ready + " of " + wanted + " endpoint(s) ready",
        generation,
        clock);
    return statusUpdate(hs, status);
  }

  @Override
  public ErrorStatusUpdateControl<HotelService> updateErrorStatus(
      HotelService hs, Context<HotelService> context, Exception e) {
    if (context.isPrimaryResourceDeleted() || hs.isMarkedForDeletion()) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    HotelServiceStatus status = copyOf(statusWriter.current(hs));
    Long generation = hs.getMetadata().getGeneration();
    Throwable cause = e;
    while (cause.getCause() != null
        && !(cause instanceof ConsulUnavailableException)
        && !(cause instanceof ConsulRejectedException)) {
      cause = cause.getCause(); // JOSDK may wrap what the reconciler threw
    }
    String reason =
        cause instanceof ConsulUnavailableException
            ? "ConsulUnavailable"
            : cause instanceof ConsulRejectedException ? "ConsulRejected" : "ReconcileFailed";
    String message = cause.getMessage();
    boolean changed =
        !Conditions.find(status.getConditions(), REGISTERED)
            .map(c -> reason.equals(c.getReason()))
            .orElse(false);
    if (changed) {
      events.warning(hs, reason, message);
      LOG.atWarn()
          .addKeyValue("hotelservice", RegistrationPlanner.owner(hs))
          .addKeyValue("reason", reason)
          .addKeyValue("error", message)
          .log("registration failed, retrying");
    }
    Conditions.set(status, REGISTERED, false, reason, message, generation, clock);
    Conditions.set(status, READY, false, reason, message, generation, clock);
    if (cause instanceof ConsulUnavailableException) {
      targets.invalidate(); // its servers may have moved: resolve the ConsulCluster afresh
    }
    // Through the status writer, like every status write: one order per HotelService.
    statusWriter.submit(hs, status);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /**
   * A HotelService being deleted: all its instances leave every Consul, then the finalizer goes.
   * While a Consul can't be reached the finalizer stays and this is retried.
   */
  private UpdateControl<HotelService> cleanup(HotelService hs, Context<HotelService> context) {
    statusWriter.forget(hs);
    try {
      deregisterEverywhere(hs);
    } catch (ConsulUnavailableException | ConsulRejectedException e) {
      events.warning(hs, "DeregistrationFailed", e.getMessage());
      return UpdateControl.<HotelService>noUpdate().rescheduleAfter(CONSUL_RETRY);
    }
    if (hs.hasFinalizer(FINALIZER)) {
      PrimaryUpdateAndCacheUtils.removeFinalizer(context, FINALIZER);
    }
    return UpdateControl.noUpdate();
  }

  /**
   * The HotelService is gone. With the finalizer its instances were deregistered before; without
   * (deleted before its first reconciliation finished, or the finalizer removed by hand) they are
   * deregistered now. A Consul failure is thrown, so that JOSDK retries.
   */
  private void deleted(HotelService hs) {
    statusWriter.forget(hs);
    deregisterEverywhere(hs);
  }

  private void deregisterEverywhere(HotelService hs) {
    Owner owner = RegistrationPlanner.owner(hs);
    if (hs.getSpec() != null) {
      targets.resolve(hs); // so that its Consul's engine exists after a restart
    }
    for (var engine : targets.engines()) {
      if (!engine.getValue().registered(owner).isEmpty()) {
        engine.getValue().sync(owner, List.of());
      }
    }
  }

  /** A HotelService that moved to another Consul leaves the one it used before. */
  private void leaveOtherConsuls(Owner owner, String targetKey) {
    for (var engine : targets.engines()) {
      try {
        if (!engine.getKey().equals(targetKey) && !engine.getValue().registered(owner).isEmpty()) {
          engine.getValue().sync(owner, List.of());
        }
      } catch (ConsulUnavailableException | ConsulRejectedException e) {
        // That Consul is out of reach: registering in the new one must not wait for it.
        LOG.atWarn()
            .addKeyValue("hotelservice", owner)
            .addKeyValue("consul", engine.getKey())
            .addKeyValue("error", e.getMessage())
            .log("could not leave the previous Consul yet");
      }
    }
  }

  /**
   * Deregisters what Bellhop owns for HotelServices that no longer exist (entries left by an
   * earlier run). Runs on the first reconciliation: only then are the caches known to be synced, so
   * an empty cache can't be mistaken for "everything was deleted".
   */
  private void sweepOrphansOnce(RegistrationSync sync, Context<HotelService> context) {
    if (orphansSwept.contains(sync)) {
      return;
    }
    var informer = context.getControllerConfiguration().getInformerConfig();
    var cache = context.getPrimaryCache();
    int removed =
        sync.removeOrphans(
            owner -> {
              boolean watched =
                  informer.watchAllNamespaces()
                      || informer.getNamespaces().contains(owner.namespace());
              return !watched
                  || cache.get(new ResourceID(owner.name(), owner.namespace())).isPresent();
            });
    orphansSwept.add(sync);
    if (removed > 0) {
      LOG.atInfo()
          .addKeyValue("instances", removed)
          .log("removed registrations of deleted HotelServices");
    }
  }

  private void recordLatency(RegistrationSync.SyncResult result) {
    long now = System.nanoTime();
    for (Registration r : result.changed()) {
      Long since = podStore.takeChangedAt(InstanceMeta.podKey(r.meta()));
      if (since != null) {
        latency.record(now - since, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Hands the status to the writer, which writes it off this thread: condition changes at once,
   * endpoint counts alone at most once a second per HotelService. Reconciles of one resource run
   * one at a time, so a status write here would hold up the next pod event's Consul write.
   */
  private UpdateControl<HotelService> statusUpdate(HotelService hs, HotelServiceStatus status) {
    statusWriter.submit(hs, status);
    return UpdateControl.noUpdate();
  }

  /** The Registered condition's message when Consul holds what the HotelService wants. */
  static String inSyncMessage(int registered, HotelService hs) {
    return registered + " endpoint(s) registered as " + hs.consulServiceName();
  }

  static HotelServiceStatus copyOf(HotelServiceStatus status) {
    HotelServiceStatus copy = new HotelServiceStatus();
    if (status != null) {
      copy.setObservedGeneration(status.getObservedGeneration());
      copy.setReadyEndpoints(status.getReadyEndpoints());
      copy.setRegisteredEndpoints(status.getRegisteredEndpoints());
      copy.setConsulService(status.getConsulService());
      copy.setConditions(
          status.getConditions() == null ? List.of() : List.copyOf(status.getConditions()));
    }
    return copy;
  }

  @Override
  public void close() {
    statusWriter.close();
    drift.close();
    finalizers.close();
    targets.close();
  }
}
