package dev.bellhop.localcluster.controllers;

import dev.bellhop.localcluster.EventHandlers;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's ServiceAccount controller: every namespace gets a ServiceAccount named
 * {@code default}, which pods without a {@code serviceAccountName} run as (the ServiceAccount
 * admission plugin refuses a pod whose ServiceAccount does not exist).
 */
public final class ServiceAccountController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceAccountController.class);

  private final KubernetesClient client;
  private SharedIndexInformer<Namespace> namespaces;

  public ServiceAccountController(KubernetesClient client) {
    this.client = client;
  }

  public void start() {
    namespaces = client.namespaces().inform(EventHandlers.of(this::ensureDefault, ns -> {}));
  }

  private void ensureDefault(Namespace ns) {
    String name = ns.getMetadata().getName();
    if (ns.getMetadata().getDeletionTimestamp() != null
        || client.serviceAccounts().inNamespace(name).withName("default").get() != null) {
      return;
    }
    try {
      client
          .serviceAccounts()
          .inNamespace(name)
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName("default")
                  .withNamespace(name)
                  .endMetadata()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        log.atWarn()
            .addKeyValue("namespace", name)
            .addKeyValue("error", e.getMessage())
            .log("default ServiceAccount not created");
      }
    }
  }

  @Override
  public void close() {
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
