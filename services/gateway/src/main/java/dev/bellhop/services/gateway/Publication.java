package dev.bellhop.services.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Which Consul instances the gateway publishes: only those Bellhop registered for a HotelService
 * (service meta {@code managed-by=bellhop}) that opted in ({@code spec.expose}: meta {@code
 * gateway-expose=true}), of a Kubernetes namespace the gateway serves ({@code k8s-namespace}).
 * Consul's own {@code consul} service, anything registered by someone else, services that only
 * other services call, and other tenants' services are not published: a request for them gets the
 * same 404 as a name Consul does not know.
 *
 * <p>The meta keys are the operator's contract: {@code operator.registration.InstanceMeta} owns
 * them. The services import no operator code (they stay registry-agnostic), so the three the
 * gateway reads are repeated here; change them there first.
 */
final class Publication {
  /** {@code InstanceMeta.MANAGED_BY} and {@code MANAGED_BY_VALUE}. */
  static final String MANAGED_BY = "managed-by";

  static final String MANAGED_BY_VALUE = "bellhop";

  /** {@code InstanceMeta.NAMESPACE}: the namespace of the HotelService and its pod. */
  static final String NAMESPACE = "k8s-namespace";

  /** {@code InstanceMeta.EXPOSED} and {@code EXPOSED_VALUE}: the HotelService's opt-in. */
  static final String EXPOSED = "gateway-expose";

  static final String EXPOSED_VALUE = "true";

  /** The namespaces served; empty: every namespace (GATEWAY_NAMESPACES={@code *}). */
  private final Set<String> namespaces;

  Publication(Set<String> namespaces) {
    this.namespaces = Set.copyOf(namespaces);
  }

  /** Whether the {@code Service} of a {@code /v1/health/service} entry is published. */
  boolean publishes(JsonObject service) {
    JsonObject meta = service.getJsonObject("Meta");
    if (meta == null
        || !MANAGED_BY_VALUE.equals(meta.getValue(MANAGED_BY))
        || !EXPOSED_VALUE.equals(meta.getValue(EXPOSED))) {
      return false;
    }
    return namespaces.isEmpty() || namespaces.contains(String.valueOf(meta.getValue(NAMESPACE)));
  }

  /**
   * Whether an entry may take traffic: every check on it passing (what Consul's {@code ?passing}
   * means), and at least one of them the instance's own (Bellhop registers one mirroring the pod's
   * readiness). An instance with node checks only would pass {@code ?passing}: it is not routed.
   */
  static boolean passing(String serviceId, JsonArray checks) {
    if (checks == null) {
      return false;
    }
    boolean own = false;
    for (int i = 0; i < checks.size(); i++) {
      JsonObject check = checks.getJsonObject(i);
      if (!"passing".equals(check.getString("Status"))) {
        return false;
      }
      own |= serviceId != null && serviceId.equals(check.getString("ServiceID"));
    }
    return own;
  }
}
