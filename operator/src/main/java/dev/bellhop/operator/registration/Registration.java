package dev.bellhop.operator.registration;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Consul service instance Bellhop owns: a (pod, port) endpoint on a synthetic catalog node,
 * with a check that mirrors the pod's readiness.
 *
 * @param owner the HotelService it belongs to; also named by its meta
 */
public record Registration(
    Owner owner,
    String id,
    String service,
    String node,
    String nodeAddress,
    String address,
    int port,
    List<String> tags,
    Map<String, String> meta,
    boolean passing) {

  public Registration {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(node, "node");
    tags = tags == null ? List.of() : List.copyOf(tags);
    meta = meta == null ? Map.of() : Map.copyOf(meta);
  }

  public String checkId() {
    return "service:" + id;
  }

  /** Same service entry (everything but the check status): no service write needed. */
  boolean sameEntry(Registration other) {
    return id.equals(other.id)
        && service.equals(other.service)
        && node.equals(other.node)
        && Objects.equals(address, other.address)
        && port == other.port
        && tags.equals(other.tags)
        && meta.equals(other.meta);
  }

  public Registration withPassing(boolean value) {
    return new Registration(
        owner, id, service, node, nodeAddress, address, port, tags, meta, value);
  }
}
