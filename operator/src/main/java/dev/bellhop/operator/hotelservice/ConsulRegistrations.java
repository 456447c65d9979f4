package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.ConsulRejectedException;
import dev.bellhop.operator.registration.ConsulUnavailableException;
import dev.bellhop.operator.registration.InstanceMeta;
import dev.bellhop.operator.registration.Owner;
import dev.bellhop.operator.registration.Registration;
import dev.bellhop.operator.registration.RegistrationSync;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HotelService's side of the sync engines: which Consul it registers into ({@link
 * ConsulTargets}), what its pods should have there ({@link RegistrationPlanner}), and leaving every
 * other Consul. The reconciler decides when; this class knows how.
 */
final class ConsulRegistrations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulRegistrations.class);

  private final ConsulTargets targets;
  private final RegistrationPlanner planner;
  private final SlimPodStore podStore;
  private final Timer latency;
  private final Set<RegistrationSync> orphansSwept = ConcurrentHashMap.newKeySet();

  ConsulRegistrations(
      KubernetesClient client,
      OperatorConfig config,
      MeterRegistry meters,
      DriftReporter drift,
      SlimPodStore podStore) {
    this.targets =
        new ConsulTargets(
            client,
            config.consulAddress(),
            config.consulToken(),
            config.clusterId(),
            catalog -> new RegistrationSync(catalog, meters, true, config.consulReadBack(), drift));
    this.planner = new RegistrationPlanner(config.clusterId());
    this.podStore = podStore;
    this.latency =
        Timer.builder("bellhop.registration.latency")
            .description("From a pod change seen by the operator to Consul holding it")
            .publishPercentileHistogram()
            .register(meters);
  }

  ConsulTargets targets() {
    return targets;
  }

  /**
   * Writes what {@code selected} pods make of {@code hs} into {@code target}'s Consul, after
   * leaving any Consul it used before. Returns once Consul holds it.
   */
  RegistrationSync.SyncResult register(
      HotelService hs,
      ConsulTargets.Target target,
      Set<Pod> selected,
      Context<HotelService> context) {
    RegistrationSync sync = target.engine();
    sweepOrphansOnce(sync, context);
    Owner owner = RegistrationPlanner.owner(hs);
    leaveOtherConsuls(owner, target.key());
    List<Registration> desired = planner.desired(hs, selected, sync.registered(owner));
    RegistrationSync.SyncResult result = sync.sync(owner, desired);
    recordLatency(result);
    return result;
  }

  /** Takes every instance of {@code hs} out of every Consul; a failure is thrown. */
  void deregisterEverywhere(HotelService hs) {
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

  @Override
  public void close() {
    targets.close();
  }
}
