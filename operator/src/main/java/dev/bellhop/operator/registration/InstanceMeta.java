package dev.bellhop.operator.registration;

import java.util.Map;
import java.util.Set;

/**
 * The meta keys Bellhop puts on every Consul entry it owns, in one place: what marks an entry as
 * Bellhop's (and whose), and which pod it stands for. A user's {@code spec.consul.meta} may use
 * none of them.
 */
public final class InstanceMeta {
  public static final String MANAGED_BY = "managed-by";
  public static final String MANAGED_BY_VALUE = "bellhop";
  public static final String CLUSTER = "bellhop-cluster";
  public static final String NAMESPACE = "k8s-namespace";
  public static final String HOTELSERVICE = "hotelservice";
  public static final String POD = "k8s-pod";
  public static final String POD_UID = "k8s-pod-uid";

  /**
   * {@value #EXPOSED_VALUE} on the instances of a HotelService with {@code spec.expose}: the only
   * ones the gateway publishes. Absent otherwise.
   */
  public static final String EXPOSED = "gateway-expose";

  public static final String EXPOSED_VALUE = "true";

  /** Keys Bellhop sets itself. */
  public static final Set<String> RESERVED =
      Set.of(MANAGED_BY, CLUSTER, NAMESPACE, HOTELSERVICE, POD, POD_UID, EXPOSED);

  private InstanceMeta() {}

  /**
   * Whether the meta marks an entry of this Bellhop cluster id: only those are ever written or
   * removed.
   */
  public static boolean ownedBy(Map<String, String> meta, String clusterId) {
    return MANAGED_BY_VALUE.equals(meta.get(MANAGED_BY)) && clusterId.equals(meta.get(CLUSTER));
  }

  /** "namespace/pod" of the pod an instance stands for. */
  public static String podKey(Map<String, String> meta) {
    return meta.get(NAMESPACE) + "/" + meta.get(POD);
  }
}
