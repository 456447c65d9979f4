package dev.bellhop.localcluster.apiserver.authorization;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.Optional;

/**
 * The store's RBAC objects through informers on the storage client, as kube-apiserver's RBAC
 * authorizer reads its listers: a request costs no round trip, and a new RoleBinding applies as
 * soon as its watch event arrives (a few milliseconds after the write; kube has the same lag).
 */
public final class InformerRbacSource implements RbacSource, AutoCloseable {
  private final SharedIndexInformer<ClusterRole> clusterRoles;
  private final SharedIndexInformer<ClusterRoleBinding> clusterRoleBindings;
  private final SharedIndexInformer<Role> roles;
  private final SharedIndexInformer<RoleBinding> roleBindings;

  public InformerRbacSource(KubernetesClient storage) {
    var rbac = storage.rbac();
    clusterRoles = rbac.clusterRoles().inform();
    clusterRoleBindings = rbac.clusterRoleBindings().inform();
    roles = rbac.roles().inAnyNamespace().inform();
    roleBindings = rbac.roleBindings().inAnyNamespace().inform();
  }

  @Override
  public List<ClusterRoleBinding> clusterRoleBindings() {
    return clusterRoleBindings.getStore().list();
  }

  @Override
  public List<RoleBinding> roleBindings(String namespace) {
    return roleBindings.getStore().list().stream()
        .filter(b -> namespace.equals(b.getMetadata().getNamespace()))
        .toList();
  }

  @Override
  public Optional<ClusterRole> clusterRole(String name) {
    return Optional.ofNullable(clusterRoles.getStore().getByKey(name));
  }

  @Override
  public Optional<Role> role(String namespace, String name) {
    return Optional.ofNullable(roles.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
  }

  @Override
  public void close() {
    clusterRoles.close();
    clusterRoleBindings.close();
    roles.close();
    roleBindings.close();
  }
}
