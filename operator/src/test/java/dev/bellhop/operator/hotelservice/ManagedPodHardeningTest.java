package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.testing.Kube;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The managed Deployment's pods meet Pod Security "restricted" by default, and each part can be
 * replaced.
 */
class ManagedPodHardeningTest {
  private static PodSpec podSpec(HotelService hs) {
    return new DeploymentDependentResource().desired(hs, null).getSpec().getTemplate().getSpec();
  }

  private static HotelService geo() {
    HotelService hs = Kube.hotelService("demo", "geo", 8082, null);
    hs.getSpec().setImage("bellhop/geo:1");
    return hs;
  }

  @Test
  void byDefaultThePodIsRestricted() {
    PodSpec pod = podSpec(geo());
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    // The root filesystem is read-only: /tmp is the one writable place, and only volumes kube
    // allows at restricted.
    assertThat(container.getVolumeMounts())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/tmp");
              assertThat(m.getName()).isEqualTo("tmp");
            });
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void eachPartIsReplacedWholeByTheHotelServices() {
    HotelService hs = geo();
    hs.getSpec()
        .setPodSecurityContext(new PodSecurityContextBuilder().withRunAsUser(2000L).build());
    hs.getSpec()
        .setSecurityContext(new SecurityContextBuilder().withReadOnlyRootFilesystem(false).build());
    hs.getSpec()
        .setResources(
            new ResourceRequirementsBuilder()
                .withLimits(Map.of("memory", new Quantity("2Gi")))
                .build());
    PodSpec pod = podSpec(hs);
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(2000L);
    assertThat(pod.getSecurityContext().getSeccompProfile()).isNull();
    var container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities()).isNull();
    assertThat(container.getResources().getLimits()).containsOnlyKeys("memory");
  }
}
