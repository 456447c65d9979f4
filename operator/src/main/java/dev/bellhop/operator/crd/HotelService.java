package dev.bellhop.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A hotel service whose ready pod endpoints Bellhop keeps registered in Consul. */
@Group("bellhop.dev")
@Version("v1alpha1")
@ShortNames("hs")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyEndpoints",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Registered",
    jsonPath = ".status.registeredEndpoints",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Consul Service",
    jsonPath = ".status.consulService",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = FieldRules.NAME_WITH_IMAGE, message = FieldRules.NAME_WITH_IMAGE_MESSAGE)
@ValidationRule(value = FieldRules.NAME_AS_SERVICE, message = FieldRules.NAME_AS_SERVICE_MESSAGE)
public class HotelService extends CustomResource<HotelServiceSpec, HotelServiceStatus>
    implements Namespaced {

  /** The ConsulCluster a HotelService names nothing else: the one called this in its namespace. */
  public static final String DEFAULT_CONSUL_CLUSTER = "consul";

  /**
   * The ConsulCluster it registers into: {@code spec.consul.cluster}, else {@value
   * #DEFAULT_CONSUL_CLUSTER}.
   */
  public String consulClusterName() {
    ConsulRegistrationSpec consul = getSpec() == null ? null : getSpec().getConsul();
    String name = consul == null ? null : consul.getCluster();
    return name == null ? DEFAULT_CONSUL_CLUSTER : name;
  }

  /** The Consul service name: {@code spec.consul.serviceName}, else the resource's name. */
  public String consulServiceName() {
    ConsulRegistrationSpec consul = getSpec() == null ? null : getSpec().getConsul();
    String name = consul == null ? null : consul.getServiceName();
    return name == null || name.isBlank() ? getMetadata().getName() : name;
  }
}
