package dev.bellhop.localcluster.apiserver.authorization;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** RBAC objects given once (a rendered chart, a unit test); other kinds in the list are ignored. */
public final class StaticRbacSource implements RbacSource {
  private final List<HasMetadata> objects;

  public StaticRbacSource(Collection<? extends HasMetadata> objects) {
    this.objects = new ArrayList<>(objects);
  }

  @Override
  public List<ClusterRoleBinding> clusterRoleBindings() {
    return of(ClusterRoleBinding.class).toList();
  }

  @Override
  public List<RoleBinding> roleBindings(String namespace) {
    return of(RoleBinding.class)
        .filter(b -> Objects.equals(namespace, b.getMetadata().getNamespace()))
        .toList();
  }

  @Override
  public Optional<ClusterRole> clusterRole(String name) {
    return of(ClusterRole.class).filter(r -> r.getMetadata().getName().equals(name)).findFirst();
  }

  @Override
  public Optional<Role> role(String namespace, String name) {
    return of(Role.class)
        .filter(
            r ->
                r.getMetadata().getName().equals(name)
                    && Objects.equals(namespace, r.getMetadata().getNamespace()))
        .findFirst();
  }

  private <T> java.util.stream.Stream<T> of(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast);
  }
}
