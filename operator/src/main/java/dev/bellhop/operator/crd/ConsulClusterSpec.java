package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import lombok.Getter;
import lombok.Setter;

/**
 * {@code ConsulCluster.spec}; every field is optional, the defaults make a secure 3-server cluster.
 */
@Getter
@Setter
public class ConsulClusterSpec {

  @JsonPropertyDescription("Consul servers (raft voters): odd, 1 to 7. Default 3.")
  @Min(FieldRules.SERVERS_MIN)
  @Max(FieldRules.SERVERS_MAX)
  @ValidationRule(value = FieldRules.SERVERS_ODD, message = FieldRules.SERVERS_ODD_MESSAGE)
  private Integer servers;

  @JsonPropertyDescription("Consul image of servers and agents. Default hashicorp/consul:1.8.7.")
  @Pattern(FieldRules.IMAGE)
  private String image;

  @JsonPropertyDescription("Consul datacenter name. Default dc1.")
  @Pattern(FieldRules.DATACENTER)
  private String datacenter;

  @JsonPropertyDescription(
      "The servers' container resources. Default requests cpu 100m, memory 128Mi; limits memory"
          + " 512Mi, no CPU limit.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Client agents on every node (a DaemonSet).")
  private Agents agents;

  @JsonPropertyDescription("The servers' data volume (one PersistentVolumeClaim per server).")
  private Storage storage;

  @JsonPropertyDescription("Gossip encryption; on by default with a generated key.")
  private GossipEncryption gossipEncryption;

  @JsonPropertyDescription("ACLs: default-deny, bootstrapped by the operator.")
  private Acl acl;

  @JsonPropertyDescription("TLS for the HTTPS API and server RPC, from certificates in a Secret.")
  private Tls tls;

  @JsonPropertyDescription("Consul's web UI and its Service.")
  private Ui ui;

  @JsonPropertyDescription(
      "How Bellhop rolls server-restarting changes: one server at a time, each step gated on "
          + "Consul's autopilot health, the leader last.")
  private Rollout rollout;

  @JsonPropertyDescription(
      "Scheduled Consul snapshots, written with their SHA-256 to a PersistentVolumeClaim and "
          + "listed in status.snapshots. Off when absent.")
  private Backup backup;

  @Getter
  @Setter
  public static class Agents {
    @JsonPropertyDescription(
        "Run a client agent on every node, reached by that node's pods through the Service <name>-agent (HTTP 8500, DNS 8600); agents roll after the servers. Default false.")
    private Boolean enabled;

    @JsonPropertyDescription(
        "The agents' container resources. Default requests cpu 50m, memory 64Mi; limits memory"
            + " 256Mi, no CPU limit.")
    private ResourceRequirements resources;
  }

  @Getter
  @Setter
  public static class Storage {
    @JsonPropertyDescription(
        "Size of each server's data volume (a Kubernetes quantity). Default 1Gi.")
    @Pattern(FieldRules.QUANTITY)
    private String size;

    @JsonPropertyDescription(
        "StorageClass of the data volumes. Default: the cluster's default class.")
    @Pattern(FieldRules.DNS1123_SUBDOMAIN)
    @Size(max = FieldRules.DNS1123_SUBDOMAIN_MAX)
    private String storageClassName;
  }

  @Getter
  @Setter
  public static class GossipEncryption {
    @JsonPropertyDescription("Encrypt gossip. Default true.")
    private Boolean enabled;

    @JsonPropertyDescription(
        "A Secret (same namespace) holding the base64 32-byte key; Bellhop never changes it. "
            + "Default: Bellhop creates <name>-gossip with a fresh key.")
    @Pattern(FieldRules.DNS1123_SUBDOMAIN)
    @Size(max = FieldRules.DNS1123_SUBDOMAIN_MAX)
    private String secretName;

    @JsonPropertyDescription("The key of the key in that Secret. Default key.")
    @Pattern(FieldRules.SECRET_KEY)
    @Size(max = FieldRules.SECRET_KEY_MAX)
    private String secretKey;
  }

  @Getter
  @Setter
  public static class Acl {
    @JsonPropertyDescription(
        "Enable ACLs with default-deny. The operator bootstraps them once (management token in "
            + "Secret <name>-acl-bootstrap) and uses a least-privilege token (Secret <name>-operator-token). Default true.")
    private Boolean enabled;
  }

  @Getter
  @Setter
  public static class Tls {
    @JsonPropertyDescription(
        "Serve the HTTP API over HTTPS (8501) and require TLS on RPC. Default true.")
    private Boolean enabled;

    @JsonPropertyDescription(
        "A Secret of yours with ca.crt, tls.crt and tls.key (the certificate needs the SAN "
            + "server.<datacenter>.consul), mounted on servers and agents. Empty: Bellhop runs "
            + "its own CA in Secret <name>-tls, with a server certificate on servers only, a "
            + "client certificate on agents, both renewed by a rolling restart.")
    @Pattern(FieldRules.DNS1123_SUBDOMAIN)
    @Size(max = FieldRules.DNS1123_SUBDOMAIN_MAX)
    private String secretName;
  }

  /**
   * The UI Service's types (the schema's enum; the field stays a String so a stored bad value still
   * reads).
   */
  public enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer
  }

  @Getter
  @Setter
  public static class Ui {
    @JsonPropertyDescription("Serve the web UI and create the <name>-ui Service. Default true.")
    private Boolean enabled;

    @JsonPropertyDescription(
        "Type of the UI Service: ClusterIP, NodePort or LoadBalancer. Default ClusterIP.")
    @SchemaFrom(type = ServiceType.class)
    private String serviceType;
  }

  @Getter
  @Setter
  public static class Rollout {
    @JsonPropertyDescription(
        "Least time between a restarted server being healthy again and the next restart "
            + "(a duration: 30s, 2m, 1m30s). Default 10s.")
    private String pace;

    @JsonPropertyDescription(
        "A restarted server not healthy after this long halts the rollout (Ready=False, "
            + "RolloutStalled); nothing else is restarted. Default 5m.")
    private String stallAfter;
  }

  @Getter
  @Setter
  public static class Backup {
    @JsonPropertyDescription(
        "When to take a snapshot: a Unix cron expression (5 fields, UTC) or @hourly, @daily, "
            + "@weekly, @monthly, @yearly, as a CronJob's schedule. The first snapshot is taken "
            + "when backup is first configured.")
    @Required
    @Pattern(FieldRules.CRON)
    private String schedule;

    @JsonPropertyDescription("Snapshots kept (the newest); older ones are deleted. Default 7.")
    @Min(FieldRules.RETAIN_MIN)
    @Max(FieldRules.RETAIN_MAX)
    private Integer retain;

    @JsonPropertyDescription(
        "The PersistentVolumeClaim, in the cluster's namespace, the snapshots are written to "
            + "(as <cluster>-<time>.snap and <cluster>-<time>.snap.sha256).")
    @Required
    @Pattern(FieldRules.DNS1123_SUBDOMAIN)
    @Size(max = FieldRules.DNS1123_SUBDOMAIN_MAX)
    private String claim;
  }
}
