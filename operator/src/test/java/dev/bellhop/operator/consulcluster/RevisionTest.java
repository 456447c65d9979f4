package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The servers' revision and the objects' spec hash must not depend on the order a map iterates in:
 * {@code Map.of} draws it at random per JVM, and an operator restart then rolled every server.
 */
class RevisionTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @Test
  void aTemplateHashesTheSameWhateverOrderItsMapsIterateIn() {
    ClusterSettings s = ClusterSettings.of(cluster());
    PodTemplateSpec one = ConsulClusterResources.statefulSet(s, "config").getSpec().getTemplate();
    PodTemplateSpec two = ConsulClusterResources.statefulSet(s, "config").getSpec().getTemplate();
    two.getMetadata().setLabels(reversed(two.getMetadata().getLabels()));

    assertThat(JSON.asJson(two)).as("the JSON as written differs").isNotEqualTo(JSON.asJson(one));
    assertThat(ConsulClusterResources.hashOf(two)).isEqualTo(ConsulClusterResources.hashOf(one));
  }

  @Test
  void aChangedTemplateHashesDifferently() {
    ConsulCluster cc = cluster();
    String before = StatefulSetDependentResource.revision(ClusterSettings.of(cc), "certs");
    cc.getSpec().setImage("hashicorp/consul:1.8.8");
    assertThat(StatefulSetDependentResource.revision(ClusterSettings.of(cc), "certs"))
        .isNotEqualTo(before);
  }

  @Test
  void renewedCertificatesChangeTheRevision() {
    ClusterSettings s = ClusterSettings.of(cluster());
    assertThat(StatefulSetDependentResource.revision(s, "renewed"))
        .isNotEqualTo(StatefulSetDependentResource.revision(s, "certs"));
  }

  private static Map<String, String> reversed(Map<String, String> map) {
    var entries = new ArrayList<>(map.entrySet());
    Collections.reverse(entries);
    Map<String, String> out = new LinkedHashMap<>();
    entries.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static ConsulCluster cluster() {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace("bellhop");
    cc.setSpec(new ConsulClusterSpec());
    return cc;
  }
}
