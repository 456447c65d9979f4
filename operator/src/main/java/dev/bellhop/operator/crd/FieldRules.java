package dev.bellhop.operator.crd;

/**
 * The field rules of both CRDs, in one home: the model's annotations put them in the CRD schema (so
 * the API server refuses a bad object), and the operator's validators check the same constants (for
 * an object stored before the CRD was tightened, or an API server that enforces no schema).
 * Patterns are anchored: kube matches {@code pattern} unanchored (Go's RE2), Java's validators with
 * {@code matches()}. CEL literals hold no backslash, so one string serves both.
 */
public final class FieldRules {
  /**
   * A Service name (DNS-1035 label, as kube's Service validation): what a HotelService with an
   * image names.
   */
  public static final String DNS1035_LABEL = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";

  /** An object's name (DNS-1123 label): ConsulCluster references. */
  public static final String DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  /** A Secret or StorageClass name (DNS-1123 subdomain, at most {@link #DNS1123_SUBDOMAIN_MAX}). */
  public static final String DNS1123_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  public static final int DNS1123_SUBDOMAIN_MAX = 253;

  /**
   * Consul service names: letters, digits and '-', at most 63, so that Consul's DNS can find them.
   */
  public static final String CONSUL_SERVICE = "^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$";

  /** An image reference: anything without whitespace (the registry checks the rest). */
  public static final String IMAGE = "^\\S+$";

  public static final String ENV_NAME = "^[-._a-zA-Z][-._a-zA-Z0-9]*$";
  public static final String LABEL_NAME =
      "^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
  public static final String LABEL_VALUE = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";

  /** A Consul tag: 1 to 255 characters, no whitespace. */
  public static final String CONSUL_TAG = "^\\S{1,255}$";

  public static final String CONSUL_META_KEY = "^[A-Za-z0-9_-]{1,128}$";
  public static final int CONSUL_META_VALUE_MAX = 512;

  /** Consul allows 64 meta keys; Bellhop's ownership meta takes 6 of them. */
  public static final int CONSUL_META_KEYS_MAX = 58;

  public static final String DATACENTER = "^[a-z0-9]([-_a-z0-9]{0,61}[a-z0-9])?$";
  public static final String QUANTITY =
      "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][-+]?[0-9]+)?$";
  public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";
  public static final int SECRET_KEY_MAX = 253;
  public static final int PORT_MIN = 1;
  public static final int PORT_MAX = 65535;

  /** Deployment replicas are an int32; a larger number overflowed the operator's Integer. */
  public static final long REPLICAS_MAX = Integer.MAX_VALUE;

  /**
   * A backup schedule: five cron fields or a nickname, as a CronJob's; the validator parses the
   * rest ({@code ConsulClusterValidator}).
   */
  public static final String CRON =
      "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\\S+( +\\S+){4})$";

  public static final int RETAIN_MIN = 1;
  public static final int RETAIN_MAX = 1000;

  public static final int SERVERS_MIN = 1;
  public static final int SERVERS_MAX = 7;

  /**
   * A ConsulCluster's name: short enough for {@code <name>-server-N} pods and their
   * controller-revision labels.
   */
  public static final int CONSUL_CLUSTER_NAME_MAX = 45;

  // Cross-field rules (CEL), each with the message the API server and the Invalid condition give. A
  // rule that iterates a list or map whose items have no maxLength exceeds kube's CEL cost budget
  // (kube refuses the CRD), so label keys, env names and meta keys are checked by the operator
  // only.
  public static final String SELECTOR_OR_IMAGE = "has(self.image) || has(self.selector)";
  public static final String SELECTOR_OR_IMAGE_MESSAGE =
      "spec.selector is required when spec.image is not set";
  public static final String SELECTOR_NOT_EMPTY_MESSAGE =
      "spec.selector must not be empty (an empty selector would match every pod)";

  /** With an image the name names a Deployment, its container and a Service (a DNS-1035 label). */
  public static final String NAME_WITH_IMAGE =
      "!has(self.spec) || !has(self.spec.image) || !has(self.metadata.name)"
          + " || self.metadata.name.matches('"
          + DNS1035_LABEL
          + "')";

  public static final String NAME_WITH_IMAGE_MESSAGE =
      "metadata.name must be a DNS-1035 label (a lower-case letter,"
          + " then letters, digits and '-', at most 63) when spec.image is set: it names the Service and the container";

  /** Without spec.consul.serviceName the name is the Consul service name. */
  public static final String NAME_AS_SERVICE =
      "(has(self.spec) && has(self.spec.consul)"
          + " && has(self.spec.consul.serviceName)) || !has(self.metadata.name) || self.metadata.name.matches('"
          + CONSUL_SERVICE
          + "')";

  public static final String NAME_AS_SERVICE_MESSAGE =
      "metadata.name is the Consul service name unless"
          + " spec.consul.serviceName is set: letters, digits and '-', at most 63, so that DNS can find it";
  public static final String SERVERS_ODD = "self % 2 == 1";
  public static final String SERVERS_ODD_MESSAGE = "spec.servers must be odd (a raft quorum)";
  public static final String CLUSTER_NAME =
      "!has(self.metadata.name) || (size(self.metadata.name) <= "
          + CONSUL_CLUSTER_NAME_MAX
          + " && self.metadata.name.matches('"
          + DNS1035_LABEL
          + "'))";
  public static final String CLUSTER_NAME_MESSAGE =
      "metadata.name must be a DNS label of at most "
          + CONSUL_CLUSTER_NAME_MAX
          + " characters starting with a letter (it names the Services and the server pods)";

  /** A ConsulRestore's Job is {@code <name>-restore}, and a Job's name is a label value (63). */
  public static final int RESTORE_NAME_MAX = 55;

  public static final String RESTORE_NAME =
      "!has(self.metadata.name) || (size(self.metadata.name) <= "
          + RESTORE_NAME_MAX
          + " && self.metadata.name.matches('"
          + DNS1123_LABEL
          + "'))";
  public static final String RESTORE_NAME_MESSAGE =
      "metadata.name must be a DNS label of at most "
          + RESTORE_NAME_MAX
          + " characters (it names the restore Job)";

  public static final String RESTORE_IMMUTABLE_MESSAGE =
      "a ConsulRestore's spec cannot change: create another ConsulRestore to restore again";

  /**
   * A snapshot file as {@code snapshot.SnapshotFiles} names it: no path, no way out of the claim.
   */
  public static final String SNAPSHOT_FILE =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9]{8}T[0-9]{6}Z[.]snap$";

  private FieldRules() {}
}
