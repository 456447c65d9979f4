package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.Owner;
import dev.bellhop.operator.threads.DaemonThreads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the HotelService finalizer off the reconcile path. A reconcile thread that waited on the API
 * server for it was not free for the next HotelService: at a cold start of 100 HotelServices on
 * JOSDK's 50 threads, the second 50 started ~0.5 s after Consul had written the first (the
 * finalizer patches took 0.6 to 1.9 s on the mock). One add in flight per HotelService; one that
 * failed is tried again by the next reconcile, which the reconciler plans while the finalizer is
 * missing.
 */
final class FinalizerWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FinalizerWriter.class);

  private final KubernetesClient client;
  private final String finalizer;
  private final ExecutorService executor;
  private final Set<Owner> inFlight = ConcurrentHashMap.newKeySet();

  FinalizerWriter(KubernetesClient client, String finalizer) {
    this.client = client;
    this.finalizer = finalizer;
    this.executor = Executors.newFixedThreadPool(2, DaemonThreads.named("hotelservice-finalizer"));
  }

  /**
   * Adds the finalizer to {@code hs} unless it has it, is being deleted, or an add is under way.
   */
  void add(HotelService hs) {
    Owner owner = RegistrationPlanner.owner(hs);
    if (hs.hasFinalizer(finalizer) || hs.isMarkedForDeletion() || !inFlight.add(owner)) {
      return;
    }
    executor.execute(
        () -> {
          try {
            // JSON Patch with the resourceVersion, retried on conflict: never drops another
            // finalizer.
            PrimaryUpdateAndCacheUtils.addFinalizer(client, hs, finalizer);
          } catch (RuntimeException e) {
            LOG.atWarn()
                .addKeyValue("hotelservice", owner)
                .addKeyValue("error", e.getMessage())
                .log("could not add the finalizer yet");
          } finally {
            inFlight.remove(owner);
          }
        });
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
