package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.List;
import java.util.Map;
import lombok.Getter;
import lombok.Setter;

@ValidationRule(
    value = FieldRules.SELECTOR_OR_IMAGE,
    message = FieldRules.SELECTOR_OR_IMAGE_MESSAGE)
@Getter
@Setter
public class HotelServiceSpec {

  @JsonPropertyDescription(
      "Container image. When set, Bellhop owns a Deployment and a ClusterIP Service for it.")
  @Pattern(FieldRules.IMAGE)
  private String image;

  @JsonPropertyDescription("Replicas of the managed Deployment (only with image). Default 1.")
  // A Long, not an Integer: a stored object with a replicas beyond int32 (possible before the CRD
  // had a
  // maximum) must still deserialize, or the informer's whole list fails; the validator refuses it.
  @Min(0)
  @Max(FieldRules.REPLICAS_MAX)
  private Long replicas;

  @JsonPropertyDescription(
      "The port the service listens on; registered in Consul for every ready pod.")
  @Required
  @Min(FieldRules.PORT_MIN)
  @Max(FieldRules.PORT_MAX)
  private Integer port;

  @JsonPropertyDescription(
      "Environment of the managed container (only with image). PORT defaults to spec.port.")
  private List<EnvVar> env;

  @JsonPropertyDescription(
      "Pod security context of the managed pods (only with image). Replaces Bellhop's default: "
          + "runAsNonRoot, seccompProfile RuntimeDefault.")
  private PodSecurityContext podSecurityContext;

  @JsonPropertyDescription(
      "Security context of the managed container (only with image). Replaces Bellhop's default: "
          + "no privilege escalation, all capabilities dropped, read-only root filesystem (/tmp is a writable emptyDir).")
  private SecurityContext securityContext;

  @JsonPropertyDescription(
      "Resources of the managed container (only with image). Replaces Bellhop's default: "
          + "requests cpu 100m, memory 256Mi; limits cpu 2, memory 512Mi.")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "Labels selecting the pods to register. Defaults to the managed Deployment's pod labels; required without image.")
  // Label values by pattern; keys only by the operator's validator: a CEL rule over map keys that
  // have no
  // maxLength exceeds kube's CEL cost budget, and kube would refuse the CRD.
  @Size(min = 1)
  private Map<String, @Pattern(FieldRules.LABEL_VALUE) String> selector;

  @JsonPropertyDescription("How the endpoints appear in Consul.")
  private ConsulRegistrationSpec consul;

  @JsonPropertyDescription(
      "Publish this service through the gateway (/<service>/...). Default false: a service is "
          + "reached by the services that call it, and the gateway answers 404 for it as for a name "
          + "Consul does not know.")
  private Boolean expose;

  /** Bellhop runs the workload (a Deployment and a Service) only when an image is named. */
  public boolean managed() {
    return image != null;
  }

  /** The managed Deployment's replicas: 1 when unset. Validated to fit an int32 before use. */
  public int replicasOrDefault() {
    return replicas == null ? 1 : Math.toIntExact(replicas);
  }

  /** Whether the gateway may publish the instances (opt-in). */
  public boolean exposed() {
    return Boolean.TRUE.equals(expose);
  }
}
