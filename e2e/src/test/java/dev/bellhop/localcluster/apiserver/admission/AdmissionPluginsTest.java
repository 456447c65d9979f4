package dev.bellhop.localcluster.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionPluginsTest {
  @Test
  void registryValidationFirstThenPodSecurityThenOwnerReferences() {
    var plugins =
        AdmissionPlugins.builtIn(
            (u, i) -> Authorizer.Decision.allow(),
            ns -> Map.of(),
            OwnerReferencesPermissionEnforcement.ResourceMapper::guess);
    assertThat(plugins)
        .extracting(p -> p.getClass().getSimpleName())
        .containsExactly(
            "ObjectMetaValidation",
            "FieldNameValidation",
            "ServiceValidation",
            "WorkloadImmutableFields",
            "PodSecurityAdmission",
            "OwnerReferencesPermissionEnforcement");
  }

  @Test
  void kindsMapToTheirResources() {
    assertThat(
            OwnerReferencesPermissionEnforcement.ResourceMapper.guess(
                "bellhop.dev/v1alpha1", "ConsulCluster"))
        .isEqualTo("consulclusters");
    assertThat(
            OwnerReferencesPermissionEnforcement.ResourceMapper.guess(
                "networking.k8s.io/v1", "NetworkPolicy"))
        .isEqualTo("networkpolicies");
    assertThat(
            OwnerReferencesPermissionEnforcement.ResourceMapper.guess(
                "networking.k8s.io/v1", "Ingress"))
        .isEqualTo("ingresses");
  }
}
