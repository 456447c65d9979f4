package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** {@code spec.consul}: where and under which name a HotelService's endpoints are registered. */
public class ConsulRegistrationSpec {

  @JsonPropertyDescription("The ConsulCluster (same namespace) to register into. Default: consul.")
  private String cluster;

  @JsonPropertyDescription("Consul service name. Default: the HotelService's name.")
  private String serviceName;

  @JsonPropertyDescription("Tags of every registered instance.")
  private List<String> tags;

  @JsonPropertyDescription("Service meta of every registered instance (Bellhop adds its own ownership keys).")
  private Map<String, String> meta;

  public String getCluster() { return cluster; }
  public void setCluster(String cluster) { this.cluster = cluster; }
  public String getServiceName() { return serviceName; }
  public void setServiceName(String serviceName) { this.serviceName = serviceName; }
  public List<String> getTags() { return tags; }
  public void setTags(List<String> tags) { this.tags = tags; }
  public Map<String, String> getMeta() { return meta; }
  public void setMeta(Map<String, String> meta) { this.meta = meta; }
}
