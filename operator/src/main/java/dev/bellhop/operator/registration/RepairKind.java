package dev.bellhop.operator.registration;

/**
 * What a repair put right, the {@code kind} label of {@code bellhop_consul_repairs_total}: a small
 * fixed set, never an ID, so the metric's cardinality stays what it is at any scale.
 */
public enum RepairKind {
  /** An owned instance was gone from Consul (deregistered by hand, a wiped or restored catalog). */
  INSTANCE_MISSING("instance_missing"),
  /** An owned instance differed: address, port, tags, meta, service name, or the node it is on. */
  INSTANCE_ALTERED("instance_altered"),
  /** An instance's check was deleted or had another status than the pod's readiness. */
  CHECK("check"),
  /** An entry carrying this Bellhop's meta that it does not want (e.g. a copy on another node). */
  INSTANCE_EXTRA("instance_extra"),
  /** A synthetic node was gone or altered. */
  NODE("node");

  private final String label;

  RepairKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
