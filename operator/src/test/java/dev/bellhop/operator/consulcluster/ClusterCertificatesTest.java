package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterCertificates.CA_CRT;
import static dev.bellhop.operator.consulcluster.ClusterCertificates.CLIENT_CRT;
import static dev.bellhop.operator.consulcluster.ClusterCertificates.SERVER_CRT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bellhop's own CA: what it issues, to whom, and when it re-issues. */
class ClusterCertificatesTest {
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

  @Test
  void issuesACaAServerAndAClientCertificate() throws Exception {
    ClusterSettings s = settings("dc1");
    Map<String, String> data = ClusterCertificates.ensure(Map.of(), s, NOW);

    assertThat(data).containsOnlyKeys(ClusterCertificates.KEYS);
    X509Certificate ca = cert(data, CA_CRT);
    X509Certificate server = cert(data, SERVER_CRT);
    X509Certificate client = cert(data, CLIENT_CRT);
    assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    assertThatCode(() -> server.verify(ca.getPublicKey())).doesNotThrowAnyException();
    assertThatCode(() -> client.verify(ca.getPublicKey())).doesNotThrowAnyException();
    assertThat(ClusterCertificates.dnsNames(server))
        .contains(
            "server.dc1.consul", "*.consul-server.hotel.svc", "consul.hotel.svc", "localhost");
    assertThat(ClusterCertificates.dnsNames(client))
        .as("an agent's certificate cannot pass verify_server_hostname")
        .containsExactlyInAnyOrder("client.dc1.consul", "localhost");
    assertThat(server.getNotAfter().toInstant())
        .isEqualTo(NOW.minusSeconds(60).plus(Duration.ofDays(365)).plusSeconds(60));
    assertThat(data.get(ClusterCertificates.CA_KEY)).contains("PRIVATE KEY");
  }

  @Test
  void soundCertificatesAreKeptAsTheyAre() {
    ClusterSettings s = settings("dc1");
    Map<String, String> data = ClusterCertificates.ensure(Map.of(), s, NOW);
    assertThat(ClusterCertificates.ensure(data, s, NOW.plus(Duration.ofDays(200)))).isEqualTo(data);
  }

  @Test
  void leavesAreReissuedFourMonthsBeforeExpiryUnderTheSameCa() throws Exception {
    ClusterSettings s = settings("dc1");
    Map<String, String> data = ClusterCertificates.ensure(Map.of(), s, NOW);
    Map<String, String> renewed =
        ClusterCertificates.ensure(data, s, NOW.plus(Duration.ofDays(250)));

    assertThat(renewed.get(CA_CRT)).isEqualTo(data.get(CA_CRT));
    assertThat(renewed.get(SERVER_CRT)).isNotEqualTo(data.get(SERVER_CRT));
    assertThat(renewed.get(CLIENT_CRT)).isNotEqualTo(data.get(CLIENT_CRT));
    assertThat(cert(renewed, SERVER_CRT).getNotAfter().toInstant())
        .isAfter(NOW.plus(Duration.ofDays(600)));
    cert(renewed, SERVER_CRT).verify(cert(data, CA_CRT).getPublicKey());
  }

  @Test
  void aChangedDatacenterReissuesTheCertificatesThatNameIt() {
    Map<String, String> data = ClusterCertificates.ensure(Map.of(), settings("dc1"), NOW);
    Map<String, String> moved = ClusterCertificates.ensure(data, settings("eu1"), NOW);
    assertThat(moved.get(CA_CRT)).isEqualTo(data.get(CA_CRT));
    assertThat(ClusterCertificates.dnsNames(cert(moved, SERVER_CRT))).contains("server.eu1.consul");
    assertThat(ClusterCertificates.dnsNames(cert(moved, CLIENT_CRT))).contains("client.eu1.consul");
  }

  @Test
  void aLostOrExpiringCaReplacesEverything() {
    ClusterSettings s = settings("dc1");
    Map<String, String> data = ClusterCertificates.ensure(Map.of(), s, NOW);
    Map<String, String> broken = new HashMap<>(data);
    broken.remove(ClusterCertificates.CA_KEY);
    Map<String, String> fresh = ClusterCertificates.ensure(broken, s, NOW);
    assertThat(fresh.get(CA_CRT)).isNotEqualTo(data.get(CA_CRT));
    assertThatThrownBy(() -> cert(fresh, SERVER_CRT).verify(cert(data, CA_CRT).getPublicKey()))
        .isInstanceOf(SignatureException.class);

    Map<String, String> later =
        ClusterCertificates.ensure(data, s, NOW.plus(Duration.ofDays(2500)));
    assertThat(later.get(CA_CRT)).isNotEqualTo(data.get(CA_CRT));
    assertThatCode(() -> cert(later, SERVER_CRT).verify(cert(later, CA_CRT).getPublicKey()))
        .doesNotThrowAnyException();
  }

  private static X509Certificate cert(Map<String, String> data, String key) {
    return ClusterCertificates.certificate(data.get(key));
  }

  private static ClusterSettings settings(String dc) {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace("hotel");
    ConsulClusterSpec spec = new ConsulClusterSpec();
    spec.setDatacenter(dc);
    cc.setSpec(spec);
    return ClusterSettings.of(cc);
  }
}
