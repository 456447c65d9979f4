package dev.bellhop.operator;

import dev.bellhop.operator.registration.RegistrationSync;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator's settings, from the standard Consul variables and a few of Bellhop's own.
 *
 * @param consulAddress {@code CONSUL_HTTP_ADDR}: host:port or a URL; used by HotelServices that
 *     name no ConsulCluster when their namespace has none called {@code consul}; null when unset
 * @param consulToken {@code CONSUL_HTTP_TOKEN}, may be null
 * @param clusterId {@code BELLHOP_CLUSTER_ID}: names this Kubernetes cluster in Consul; entries of
 *     other ids are never touched
 * @param namespaces {@code BELLHOP_NAMESPACES}: comma-separated; empty means all
 * @param httpPort {@code BELLHOP_HTTP_PORT}: /metrics, /healthz, /readyz; 0 picks a free port, -1
 *     none
 * @param leaseNamespace {@code BELLHOP_LEASE_NAMESPACE} (or {@code POD_NAMESPACE}): enables leader
 *     election with a Lease there; null runs without
 * @param consulReadBack {@code BELLHOP_CONSUL_READBACK_SECONDS}: how often everything Bellhop owns
 *     in Consul is read back and repaired where it differs, behind the watches (default 300; 0 off)
 * @param bindAddress {@code BIND_ADDR}: the address of the HTTP endpoints, as for every Bellhop
 *     process (default {@code 0.0.0.0}; the local cluster gives each pod its own loopback address)
 * @param image {@code BELLHOP_IMAGE}: the operator's own image, which snapshot and restore Jobs run
 *     (the chart sets it); null: backups report that it is missing
 */
public record OperatorConfig(
    String consulAddress,
    String consulToken,
    String clusterId,
    Set<String> namespaces,
    int httpPort,
    String leaseNamespace,
    String bindAddress,
    Duration consulReadBack,
    String image) {
  private static final Pattern CLUSTER_ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?");

  public OperatorConfig {
    if (!CLUSTER_ID.matcher(clusterId).matches()) {
      throw new IllegalArgumentException(
          "BELLHOP_CLUSTER_ID '"
              + clusterId
              + "' must be a DNS label of at most 32 characters (lower-case letters, digits, '-')");
    }
    namespaces = Set.copyOf(namespaces);
    if (consulReadBack == null || consulReadBack.isNegative()) {
      throw new IllegalArgumentException("BELLHOP_CONSUL_READBACK_SECONDS must be 0 (off) or more");
    }
  }

  /** Listening on all addresses, reading Consul back every 5 minutes. */
  public OperatorConfig(
      String consulAddress,
      String consulToken,
      String clusterId,
      Set<String> namespaces,
      int httpPort,
      String leaseNamespace) {
    this(
        consulAddress,
        consulToken,
        clusterId,
        namespaces,
        httpPort,
        leaseNamespace,
        "0.0.0.0",
        RegistrationSync.READ_BACK,
        null);
  }

  public static OperatorConfig fromEnv(Map<String, String> env) {
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault("BELLHOP_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    String lease = env.getOrDefault("BELLHOP_LEASE_NAMESPACE", env.get("POD_NAMESPACE"));
    return new OperatorConfig(
        blankToNull(env.get("CONSUL_HTTP_ADDR")),
        env.get("CONSUL_HTTP_TOKEN"),
        env.getOrDefault("BELLHOP_CLUSTER_ID", "default"),
        namespaces,
        Integer.parseInt(env.getOrDefault("BELLHOP_HTTP_PORT", "8080")),
        lease == null || lease.isBlank() ? null : lease,
        env.getOrDefault("BIND_ADDR", "0.0.0.0"),
        Duration.ofSeconds(
            Long.parseLong(
                env.getOrDefault(
                    "BELLHOP_CONSUL_READBACK_SECONDS",
                    String.valueOf(RegistrationSync.READ_BACK.toSeconds())))),
        blankToNull(env.get("BELLHOP_IMAGE")));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
