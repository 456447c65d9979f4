package dev.bellhop.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CONSUL_HTTP_TOKEN reaches Consul: with ACLs default-deny, the token writes and no token is
 * refused.
 */
class RegistrationSyncAclIT {
  private static final String TOKEN = "4f2b8e0c-2f0e-4d8a-9a51-6c1f0e3b7a10";

  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1).aclDefaultDeny(TOKEN));

  @Test
  void theTokenIsSentAndWithoutItTheWriteIsRejected() {
    String address = CONSUL.cluster().httpAddress();
    var desired = RegistrationSyncIT.regs("acl", "ns/secure", "secure", 2, true);
    try (var withToken =
        new RegistrationSync(new ConsulCatalog(address, TOKEN, "acl"), new SimpleMeterRegistry())) {
      assertThat(withToken.sync(RegistrationSyncIT.owner("ns/secure"), desired).registered())
          .isEqualTo(2);
    }
    try (var anonymous =
        new RegistrationSync(new ConsulCatalog(address, null, "acl"), new SimpleMeterRegistry())) {
      assertThatThrownBy(
              () ->
                  anonymous.sync(
                      RegistrationSyncIT.owner("ns/other"),
                      RegistrationSyncIT.regs("acl", "ns/other", "other", 1, true)))
          .isInstanceOf(ConsulRejectedException.class)
          .hasMessageContaining("Permission denied");
    }
    try (var again =
        new RegistrationSync(new ConsulCatalog(address, TOKEN, "acl"), new SimpleMeterRegistry())) {
      assertThat(again.registered(RegistrationSyncIT.owner("ns/secure")))
          .hasSize(2); // read back with the token
      assertThat(again.sync(RegistrationSyncIT.owner("ns/secure"), List.of()).writes())
          .isEqualTo(2);
    }
  }
}
