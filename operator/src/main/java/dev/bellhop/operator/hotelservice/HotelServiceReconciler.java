package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.KubernetesEvents;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.registration.ConsulRejectedException;
import dev.bellhop.operator.registration.ConsulUnavailableException;
import dev.bellhop.operator.registration.RegistrationSync;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceUtils;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

  private final KubernetesEvents events;
  private final Clock clock;
  private final SlimPodStore podStore = new SlimPodStore();

  /** The HotelService informer's store: pod events are mapped through its selector-label index. */
  private final LabelIndexedStore<HotelService> hotelServiceStore =
      new LabelIndexedStore<>(Labels::indexKeys);

  private volatile InformerEventSource<ConsulCluster, HotelService> clusters;
  private final StatusWriter statusWriter;
  private final HotelServiceStatusAggregator statuses;
  private final DriftReporter drift;
  private final ConsulRegistrations consul;
  private final FinalizerWriter finalizers;
  private final Workflow<HotelService> workload;

  public HotelServiceReconciler(
      KubernetesClient client,
      OperatorConfig config,
      KubernetesEvents events,
      MeterRegistry meters,
      Clock clock) {
    this.events = events;
    this.clock = clock;
    this.statusWriter = new StatusWriter(client, STATUS_INTERVAL);
    this.statuses = new HotelServiceStatusAggregator(clock);
    this.drift =
        new DriftReporter(
            owner -> hotelServiceStore.get(Cache.namespaceKeyFunc(owner.namespace(), owner.name())),
            statusWriter,
            events,
            statuses);
    this.consul = new ConsulRegistrations(client, config, meters, drift, podStore);
    this.finalizers = new FinalizerWriter(client, FINALIZER);
    this.workload = WorkloadWorkflow.create();
  }

  @Override
  public List<EventSource<?, HotelService>> prepareEventSources(
      EventSourceContext<HotelService> context) {
    if (!hotelServiceStore.backs(
        context.getControllerConfiguration().getInformerConfig().getItemStore())) {
      throw new IllegalStateException(
          "register the HotelService reconciler with configuration(...)");
    }
    var sources =
        new HotelServiceEventSources(context, hotelServiceStore, podStore, consul.targets());
    clusters = sources.clusters();
    return sources.with(EventSourceUtils.eventSourcesFromWorkflow(context, workload));
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
    HotelServiceStatus status = HotelServiceStatusAggregator.copyOf(statusWriter.current(hs));
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

    ConsulTargets.Target target = consul.targets().resolve(hs);
    if (target.engine() == null) {
      if (!HotelServiceStatusAggregator.isWaitingForConsul(status)) {
        events.normal(hs, "WaitingForConsul", target.problem());
      }
      statuses.waitingForConsul(status, target.problem(), generation);
      return statusUpdate(hs, status).rescheduleAfter(CONSUL_CLUSTER_RECHECK);
    }
    RegistrationSync.SyncResult result = consul.register(hs, target, selected, context);
    statuses.synced(status, hs, result.registered(), ready);
    return statusUpdate(hs, status);
  }

  @Override
  public ErrorStatusUpdateControl<HotelService> updateErrorStatus(
      HotelService hs, Context<HotelService> context, Exception e) {
    if (context.isPrimaryResourceDeleted() || hs.isMarkedForDeletion()) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    HotelServiceStatus status = HotelServiceStatusAggregator.copyOf(statusWriter.current(hs));
    var failure = HotelServiceStatusAggregator.Failure.of(e);
    if (!HotelServiceStatusAggregator.hasReason(status, failure.reason())) {
      events.warning(hs, failure.reason(), failure.cause().getMessage());
      LOG.atWarn()
          .addKeyValue("hotelservice", RegistrationPlanner.owner(hs))
          .addKeyValue("reason", failure.reason())
          .addKeyValue("error", failure.cause().getMessage())
          .log("registration failed, retrying");
    }
    statuses.failed(status, failure, hs.getMetadata().getGeneration());
    if (failure.consulUnreachable()) {
      consul.targets().invalidate(); // its servers may have moved: resolve the ConsulCluster afresh
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
      consul.deregisterEverywhere(hs);
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
    consul.deregisterEverywhere(hs);
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

  @Override
  public void close() {
    statusWriter.close();
    drift.close();
    finalizers.close();
    consul.close();
  }
}
