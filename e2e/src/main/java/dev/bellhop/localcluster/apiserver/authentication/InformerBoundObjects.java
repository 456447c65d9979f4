package dev.bellhop.localcluster.apiserver.authentication;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Optional;

/**
 * ServiceAccounts and pods through informers on the storage client: checking that a token's pod and
 * ServiceAccount still exist costs no round trip per request.
 */
public final class InformerBoundObjects implements BoundObjects, AutoCloseable {
  private final SharedIndexInformer<ServiceAccount> serviceAccounts;
  private final SharedIndexInformer<Pod> pods;

  public InformerBoundObjects(KubernetesClient storage) {
    serviceAccounts = storage.serviceAccounts().inAnyNamespace().inform();
    pods = storage.pods().inAnyNamespace().inform();
  }

  @Override
  public Optional<String> serviceAccountUid(String namespace, String name) {
    return serviceAccount(namespace, name).map(sa -> sa.getMetadata().getUid());
  }

  public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
    return Optional.ofNullable(
        serviceAccounts.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
  }

  @Override
  public Optional<String> podUid(String namespace, String name) {
    return Optional.ofNullable(pods.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)))
        .map(p -> p.getMetadata().getUid());
  }

  @Override
  public void close() {
    serviceAccounts.close();
    pods.close();
  }
}
