package dev.bellhop.localcluster.apiserver.admission;

import dev.bellhop.localcluster.apiserver.admission.OwnerReferencesPermissionEnforcement.ResourceMapper;
import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import java.util.List;

/**
 * The built-in rules in the order kube-apiserver applies them: first what its registries validate
 * for each kind (object names and labels, names inside specs, Service rules, immutable workload
 * fields), then the validating admission plugins in kube's plugin order (PodSecurity before
 * OwnerReferencesPermissionEnforcement).
 */
public final class AdmissionPlugins {
  private AdmissionPlugins() {}

  /**
   * @param authorizer the chain's authorizer, asked by OwnerReferencesPermissionEnforcement
   * @param namespaces the stored namespaces' labels, read by PodSecurity
   * @param mapper the resource serving a kind (e.g. from discovery); {@link ResourceMapper#guess}
   *     will do
   */
  public static List<AdmissionPlugin> builtIn(
      Authorizer authorizer, NamespaceLabels namespaces, ResourceMapper mapper) {
    return List.of(
        new ObjectMetaValidation(),
        new FieldNameValidation(),
        new ServiceValidation(),
        new WorkloadImmutableFields(),
        new PodSecurityAdmission(namespaces),
        new OwnerReferencesPermissionEnforcement(authorizer, mapper));
  }
}
