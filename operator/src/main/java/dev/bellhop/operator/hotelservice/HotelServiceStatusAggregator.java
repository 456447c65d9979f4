package dev.bellhop.operator.hotelservice;

import static dev.bellhop.operator.crd.Conditions.READY;
import static dev.bellhop.operator.crd.Conditions.REGISTERED;

import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceStatus;
import dev.bellhop.operator.registration.ConsulRejectedException;
import dev.bellhop.operator.registration.ConsulUnavailableException;
import java.time.Clock;
import java.util.List;

/**
 * What a HotelService's status says, from what a reconcile found: its {@code Registered} and {@code
 * Ready} conditions and their reasons, in one place for the reconciler, its error handler and the
 * drift reporter.
 */
final class HotelServiceStatusAggregator {
  static final String WAITING_FOR_CONSUL = "ConsulClusterNotReady";

  private final Clock clock;

  HotelServiceStatusAggregator(Clock clock) {
    this.clock = clock;
  }

  /** Neither registered nor ready: the HotelService's Consul can't be used yet, and why. */
  void waitingForConsul(HotelServiceStatus status, String problem, Long generation) {
    Conditions.set(status, REGISTERED, false, WAITING_FOR_CONSUL, problem, generation, clock);
    Conditions.set(status, READY, false, WAITING_FOR_CONSUL, problem, generation, clock);
  }

  static boolean isWaitingForConsul(HotelServiceStatus status) {
    return hasReason(status, WAITING_FOR_CONSUL);
  }

  /**
   * Consul holds {@code registered} endpoints, as wanted; ready once {@code ready} pods reach the
   * replicas wanted (one, for a HotelService that runs no workload).
   */
  void synced(HotelServiceStatus status, HotelService hs, int registered, int ready) {
    Long generation = hs.getMetadata().getGeneration();
    inSync(status, hs, registered);
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
  }

  /** Consul holds what {@code hs} wants: {@code registered} endpoints. */
  void inSync(HotelServiceStatus status, HotelService hs, int registered) {
    status.setRegisteredEndpoints(registered);
    Conditions.set(
        status,
        REGISTERED,
        true,
        "InSync",
        registered + " endpoint(s) registered as " + hs.consulServiceName(),
        hs.getMetadata().getGeneration(),
        clock);
  }

  /**
   * Consul differs from what {@code hs} wants ({@code reason}: being repaired, or the repair
   * failing); it was seen to hold {@code seen} endpoints.
   */
  void drifted(
      HotelServiceStatus status, HotelService hs, int seen, String reason, String message) {
    status.setRegisteredEndpoints(seen);
    Conditions.set(
        status, REGISTERED, false, reason, message, hs.getMetadata().getGeneration(), clock);
  }

  /** Neither registered nor ready because the reconcile failed with {@code failure}. */
  void failed(HotelServiceStatus status, Failure failure, Long generation) {
    String message = failure.cause().getMessage();
    Conditions.set(status, REGISTERED, false, failure.reason(), message, generation, clock);
    Conditions.set(status, READY, false, failure.reason(), message, generation, clock);
  }

  /** Why a reconcile failed: Consul unreachable, Consul refusing, or anything else. */
  record Failure(String reason, Throwable cause) {
    static Failure of(Exception e) {
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
      return new Failure(reason, cause);
    }

    boolean consulUnreachable() {
      return cause instanceof ConsulUnavailableException;
    }
  }

  /** Whether {@code Registered}'s reason is {@code reason} already (an Event only on a change). */
  static boolean hasReason(HotelServiceStatus status, String reason) {
    return status != null
        && Conditions.find(status.getConditions(), REGISTERED)
            .map(c -> reason.equals(c.getReason()))
            .orElse(false);
  }

  /** A copy to change: the status writer's current one stays as it was written. */
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
}
