package dev.bellhop.services.it;

import static dev.bellhop.services.it.Services.assertError;
import static dev.bellhop.services.it.Services.join;
import static dev.bellhop.services.it.Services.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bellhop.services.common.client.DnsSrvClient;
import dev.bellhop.services.common.client.Endpoint;
import dev.bellhop.services.common.client.SrvResolver;
import dev.bellhop.services.common.server.ServiceServer;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hotel.Rates with every upstream found through a real Consul's DNS interface. The test registers
 * the instances in Consul's catalog, as Bellhop's operator would; the services only ever see DNS.
 * SRV TTLs are set to 2 s so caching can be observed.
 */
class HotelRatesDnsSrvIT {
  @RegisterExtension
  static final ConsulClusterExtension consul =
      new ConsulClusterExtension(
          TestConsulCluster.builder()
              .servers(1)
              .extraConfig(
                  "dns_config {\n  service_ttl { \"*\" = \"2s\" }\n  node_ttl = \"2s\"\n}"));

  static final String STAY = "{\"inDate\":\"2027-02-01\",\"outDate\":\"2027-02-04\"}";
  static Services services;
  static String bearer;

  @BeforeAll
  static void start() {
    services = Services.startBackends();
    bearer = "Bearer " + services.login();
    register("auth-1", "auth", services.auth.port());
    register("geo-1", "geo", services.geo.port());
    register("profile-1", "profile", services.profile.port());
    register("rate-1", "rate", services.rate.port());
  }

  @AfterAll
  static void stop() {
    services.close();
  }

  static void register(String id, String service, int port) {
    consul
        .cluster()
        .httpPut(
            "/v1/catalog/register",
            new JsonObject()
                .put("Node", "services-it")
                .put("Address", "127.0.0.1")
                .put(
                    "Service",
                    new JsonObject()
                        .put("ID", id)
                        .put("Service", service)
                        .put("Address", "127.0.0.1")
                        .put("Port", port))
                .encode());
  }

  static Map<String, String> dnsEnv() {
    TestConsulCluster cluster = consul.cluster();
    return Map.of(
        "AUTH_ADDR", "dns-srv:auth.service.consul",
        "GEO_ADDR", "dns-srv:geo.service.consul",
        "PROFILE_ADDR", "dns-srv:profile.service.consul",
        "RATE_ADDR", "dns-srv:rate.service.consul",
        "DNS_SERVER", cluster.dnsHost() + ":" + cluster.dnsPort());
  }

  @Test
  void findsEveryUpstreamThroughConsulDns() {
    ServiceServer hotel = services.hotel(dnsEnv());
    var response = post(hotel.port(), "Hotel.Rates", STAY, bearer);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getJsonArray("hotels")).hasSize(5);
    assertThat(body.getJsonArray("ratePlans")).isNotEmpty();
    assertError(post(hotel.port(), "Hotel.Rates", STAY, "Bearer forged"), 401, "invalid token");
  }

  @Test
  void skipsAnInstanceThatRefusesConnections() {
    Map<String, String> env = new java.util.HashMap<>(dnsEnv());
    env.put("PROFILE_ADDR", "dns-srv:profile-flaky.service.consul");
    register("profile-flaky-dead", "profile-flaky", Services.deadPort());
    register("profile-flaky-live", "profile-flaky", services.profile.port());
    ServiceServer hotel = services.hotel(env);
    for (int i = 0; i < 6; i++) {
      var response = post(hotel.port(), "Hotel.Rates", STAY, bearer);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  @Test
  void anUnknownNameIsABadGatewayNamingTheUpstream() {
    Map<String, String> env = new java.util.HashMap<>(dnsEnv());
    env.put("GEO_ADDR", "dns-srv:nowhere.service.consul");
    ServiceServer hotel = services.hotel(env);
    assertError(post(hotel.port(), "Hotel.Rates", STAY, bearer), 502, "upstream geo unavailable");
  }

  @Test
  void cachesAnswersForTheirTtl() {
    TestConsulCluster cluster = consul.cluster();
    try (DnsSrvClient dns =
        new DnsSrvClient(services.vertx, cluster.dnsHost(), cluster.dnsPort(), 1000)) {
      SrvResolver resolver = new SrvResolver("probe.service.consul", dns);
      register("probe-1", "probe", 10001);
      List<Endpoint> first = join(resolver.resolve());
      assertThat(first).containsExactly(new Endpoint("127.0.0.1", 10001));
      register("probe-2", "probe", 10002);
      assertThat(join(resolver.resolve())).as("cached within the 2 s TTL").isEqualTo(first);
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(join(resolver.resolve()))
                      .containsExactlyInAnyOrder(
                          new Endpoint("127.0.0.1", 10001), new Endpoint("127.0.0.1", 10002)));
    }
  }
}
