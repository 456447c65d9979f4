package dev.bellhop.operator.consulcluster;

import io.fabric8.kubernetes.api.model.Service;

/** A Service of the cluster; its allocated cluster IP and node ports survive a spec change. */
abstract class ServiceDependentResource extends OwnedDependentResource<Service> {
  ServiceDependentResource() {
    super(Service.class);
  }

  @Override
  protected void keepAllocated(Service actual, Service desired) {
    ConsulClusterResources.keepAllocated(desired, actual);
  }
}
