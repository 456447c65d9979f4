package dev.bellhop.localcluster.apiserver.authorization;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Optional;

/**
 * Where the RBAC objects are read from: informers on the store, or a fixed list (tests, the chart).
 */
public interface RbacSource {
  List<ClusterRoleBinding> clusterRoleBindings();

  /** The RoleBindings of one namespace. */
  List<RoleBinding> roleBindings(String namespace);

  Optional<ClusterRole> clusterRole(String name);

  Optional<Role> role(String namespace, String name);
}
