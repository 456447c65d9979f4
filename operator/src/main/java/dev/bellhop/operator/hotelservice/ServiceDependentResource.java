package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/**
 * The ClusterIP Service in front of a managed Deployment (only when {@code spec.image} is set). A
 * standalone dependent: {@link HotelServiceReconciler} configures it and reconciles it explicitly.
 */
public class ServiceDependentResource
    extends CRUDKubernetesDependentResource<Service, HotelService> {

  public ServiceDependentResource() {
    super(Service.class);
  }

  @Override
  protected Service desired(HotelService hs, Context<HotelService> context) {
    int port = hs.getSpec().getPort();
    return new ServiceBuilder()
        .withMetadata(Labels.meta(hs))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.podSelector(hs))
        .addNewPort()
        .withName("http")
        .withPort(port)
        .withTargetPort(new IntOrString(port))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
