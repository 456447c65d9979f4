package dev.bellhop.services.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  private static MultiMap forwardedFor(String... values) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String value : values) {
      headers.add("X-Forwarded-For", value);
    }
    return headers;
  }

  @Test
  void trustingNobodyTheCallerIsThePeer() {
    ClientAddress nobody = new ClientAddress(List.of());
    assertThat(nobody.of("10.1.2.3", forwardedFor("203.0.113.7"))).isEqualTo("10.1.2.3");
  }

  @Test
  void behindTrustedProxiesTheFirstUntrustedHopFromTheRightIsTheCaller() {
    ClientAddress ingress = new ClientAddress(List.of("10.244.0.0/16", "192.168.1.1"));
    // The Ingress controller appended the address it saw; the caller wrote the left part itself.
    assertThat(ingress.of("10.244.3.9", forwardedFor("6.6.6.6, 203.0.113.7")))
        .isEqualTo("203.0.113.7");
    // Two trusted hops (a load balancer, then the controller), over two header lines.
    assertThat(ingress.of("10.244.3.9", forwardedFor("6.6.6.6, 203.0.113.7", "192.168.1.1")))
        .isEqualTo("203.0.113.7");
    assertThat(ingress.of("10.244.3.9", forwardedFor("[2001:db8::1]:443")))
        .isEqualTo("2001:db8::1");
    assertThat(ingress.of("10.244.3.9", forwardedFor("203.0.113.7:5000"))).isEqualTo("203.0.113.7");
    // Nothing readable from the trusted proxy: the last address vouched for.
    assertThat(ingress.of("10.244.3.9", forwardedFor("unknown"))).isEqualTo("10.244.3.9");
    assertThat(ingress.of("10.244.3.9", forwardedFor())).isEqualTo("10.244.3.9");
    // An untrusted peer's header is not read at all.
    assertThat(ingress.of("10.9.0.1", forwardedFor("203.0.113.7"))).isEqualTo("10.9.0.1");
  }

  @Test
  void rejectsWhatIsNeitherAnAddressNorACidr() {
    assertThatThrownBy(() -> new ClientAddress(List.of("ingress.local")))
        .hasMessageContaining("GATEWAY_TRUSTED_PROXIES");
    assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/33")))
        .hasMessageContaining("prefix");
  }
}
