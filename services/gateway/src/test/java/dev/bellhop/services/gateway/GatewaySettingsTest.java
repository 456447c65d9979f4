package dev.bellhop.services.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.services.common.server.ServiceConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {
  /** {@code env} in a pod of namespace {@code hotel} (the chart's POD_NAMESPACE). */
  private static GatewaySettings settings(Map<String, String> env) {
    Map<String, String> inPod = new HashMap<>(env);
    inPod.putIfAbsent("POD_NAMESPACE", "hotel");
    return GatewaySettings.from(ServiceConfig.from("gateway", 8080, inPod));
  }

  @Test
  void publishesItsOwnNamespaceUnlessToldOtherwise() {
    assertThat(settings(Map.of()).namespaces()).containsExactly("hotel");
    assertThat(settings(Map.of("GATEWAY_NAMESPACES", "shop, hotel,")).namespaces())
        .containsExactlyInAnyOrder("shop", "hotel");
    assertThat(settings(Map.of("GATEWAY_NAMESPACES", "*")).namespaces()).isEmpty();
    assertThatThrownBy(() -> GatewaySettings.from(ServiceConfig.from("gateway", 8080, Map.of())))
        .hasMessageContaining("GATEWAY_NAMESPACES");
    assertThatThrownBy(() -> settings(Map.of("GATEWAY_NAMESPACES", "*,hotel")))
        .hasMessageContaining("alone");
  }

  @Test
  void readsConsulAddressesLikeTheConsulCli() {
    GatewaySettings plain = settings(Map.of());
    assertThat(plain.consulAddress()).isEqualTo("http://127.0.0.1:8500");
    assertThat(settings(Map.of("CONSUL_HTTP_ADDR", "10.0.0.5:8500")).consulAddress())
        .isEqualTo("http://10.0.0.5:8500");
    assertThat(settings(Map.of("CONSUL_HTTP_ADDR", "https://consul.svc:8501/")).consulAddress())
        .isEqualTo("https://consul.svc:8501");
    assertThat(settings(Map.of("CONSUL_HTTP_ADDR", "https://consul.svc")).consulPort())
        .isEqualTo(8501);
    assertThat(
            settings(Map.of("CONSUL_HTTP_ADDR", "consul.svc:8501", "CONSUL_HTTP_SSL", "true"))
                .consulTls())
        .isTrue();
    assertThat(settings(Map.of("CONSUL_HTTP_ADDR", "[::1]:8500")).consulHost()).isEqualTo("::1");
    assertThat(settings(Map.of("CONSUL_HTTP_TOKEN", "t")).consulToken()).isEqualTo("t");
  }

  @Test
  void rejectsWhatItCannotUse() {
    assertThatThrownBy(() -> settings(Map.of("CONSUL_HTTP_ADDR", "unix:///tmp/consul.sock")))
        .hasMessageContaining("CONSUL_HTTP_ADDR");
    assertThatThrownBy(() -> settings(Map.of("CONSUL_HTTP_ADDR", "host:port")))
        .hasMessageContaining("bad port");
    assertThatThrownBy(() -> settings(Map.of("CONSUL_CACERT", "/no/such/ca.pem")))
        .hasMessageContaining("CONSUL_CACERT");
    assertThatThrownBy(() -> settings(Map.of("GATEWAY_BALANCER", "random")))
        .hasMessageContaining("GATEWAY_BALANCER");
    assertThatThrownBy(() -> settings(Map.of("GATEWAY_TIMEOUT_MS", "0")))
        .hasMessageContaining("GATEWAY_TIMEOUT_MS");
    assertThatThrownBy(() -> settings(Map.of("ADMIN_PORT", "70000")))
        .hasMessageContaining("ADMIN_PORT");
    assertThatThrownBy(() -> settings(Map.of("GATEWAY_REQUEST_READ_TIMEOUT_MS", "0")))
        .hasMessageContaining("GATEWAY_REQUEST_READ_TIMEOUT_MS");
    assertThatThrownBy(() -> settings(Map.of("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8,ingress")))
        .hasMessageContaining("GATEWAY_TRUSTED_PROXIES");
  }

  @Test
  void exposureDefaults() {
    GatewaySettings plain = settings(Map.of());
    assertThat(plain.adminPort()).isEqualTo(9090);
    assertThat(plain.requestReadTimeoutMillis()).isEqualTo(20_000);
    assertThat(plain.idleTimeoutMillis()).isEqualTo(120_000);
  }
}
