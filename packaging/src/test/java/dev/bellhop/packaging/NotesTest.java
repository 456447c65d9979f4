package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt, as `helm install` prints it (a client-only dry run), tells the user how to reach the
 * API.
 */
class NotesTest {
  static String notes(Map<String, Object> values) {
    var install =
        new Helm(Charts.chart())
            .install()
            .withName(Charts.RELEASE)
            .withNamespace(Charts.NAMESPACE)
            .withKubeVersion(Charts.KUBE_VERSION)
            .clientOnly()
            .withDryRunOption(DryRun.CLIENT);
    values.forEach(install::set);
    return install.call().getOutput();
  }

  @Test
  void notesNameTheIngressUrl() {
    String notes = notes(Map.of());
    assertThat(notes).contains("http://bellhop.example.com/");
    assertThat(notes).contains("http://bellhop.example.com/hotel/rates");
    assertThat(notes).contains("kubectl -n bellhop get consulclusters,hotelservices");
  }

  @Test
  void notesFollowTheValues() {
    assertThat(notes(Map.of("ingress.host", "api.hotel.test", "ingress.tls.enabled", "true")))
        .contains("https://api.hotel.test/hotel/rates");
    assertThat(notes(Map.of("ingress.enabled", "false")))
        .contains("kubectl -n bellhop port-forward svc/bellhop-gateway 8080:80")
        .contains("http://localhost:8080/hotel/rates");
  }
}
