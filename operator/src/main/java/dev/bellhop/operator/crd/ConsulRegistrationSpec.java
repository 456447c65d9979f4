package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;
import lombok.Getter;
import lombok.Setter;

/** {@code spec.consul}: where and under which name a HotelService's endpoints are registered. */
@Getter
@Setter
public class ConsulRegistrationSpec {

  @JsonPropertyDescription("The ConsulCluster (same namespace) to register into. Default: consul.")
  @Pattern(FieldRules.DNS1123_LABEL)
  private String cluster;

  @JsonPropertyDescription("Consul service name. Default: the HotelService's name.")
  @Pattern(FieldRules.CONSUL_SERVICE)
  private String serviceName;

  @JsonPropertyDescription("Tags of every registered instance.")
  private List<@Pattern(FieldRules.CONSUL_TAG) String> tags;

  @JsonPropertyDescription(
      "Service meta of every registered instance (Bellhop adds its own ownership keys).")
  // Keys only by the operator's validator (a CEL rule over map keys exceeds kube's cost budget).
  @Size(max = FieldRules.CONSUL_META_KEYS_MAX)
  private Map<String, @Size(max = FieldRules.CONSUL_META_VALUE_MAX) String> meta;
}
