package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator's ACL policy: write on Bellhop's nodes and the named services, read elsewhere. */
class OperatorRulesTest {
  @Test
  void writesOnlyTheNamedServicesEachQuoted() {
    String rules = ConsulAcls.operatorRules(Set.of("rate", "geo", "odd\"name"));
    assertThat(rules)
        .contains("node_prefix \"bellhop-\" { policy = \"write\" }")
        .contains("service_prefix \"\" { policy = \"read\" }")
        .doesNotContain("service_prefix \"\" { policy = \"write\" }")
        .containsSubsequence(
            "service \"geo\" { policy = \"write\" }",
            "service \"odd\\\"name\" { policy = \"write\" }",
            "service \"rate\" { policy = \"write\" }");
  }

  @Test
  void noServicesNoWrite() {
    assertThat(ConsulAcls.operatorRules(Set.of())).doesNotContain("\"write\" }\nservice");
    assertThat(ConsulAcls.operatorRules(Set.of()).lines().filter(l -> l.contains("write")))
        .containsExactly("node_prefix \"bellhop-\" { policy = \"write\" }");
  }
}
