package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.Registration;
import dev.bellhop.operator.testing.Kube;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The small pure rules: which HotelServices a pod concerns, what gets registered, what is invalid.
 */
class RegistrationRulesTest {
  private static HotelService hs(String ns, String name, Map<String, String> selector) {
    return Kube.hotelService(ns, name, 8080, selector);
  }

  @Test
  void aPodMapsToEveryHotelServiceInItsNamespaceWhoseSelectorMatches() {
    var geo = hs("a", "geo", Map.of("app", "geo"));
    var geoV2 = hs("a", "geo-v2", Map.of("app", "geo", "track", "v2"));
    var other = hs("a", "rate", Map.of("app", "rate"));
    var mapper = new PodToHotelServiceMapper(index(geo, geoV2, other));

    Pod v1 = Kube.pod("a", "geo-1", Map.of("app", "geo", "track", "v1"), "n", "10.0.0.1", true);
    Pod v2 = Kube.pod("a", "geo-2", Map.of("app", "geo", "track", "v2"), "n", "10.0.0.2", true);
    Pod elsewhere = Kube.pod("b", "geo-3", Map.of("app", "geo"), "n", "10.0.0.3", true);

    assertThat(mapper.toPrimaryResourceIDs(v1)).containsExactly(new ResourceID("geo", "a"));
    assertThat(mapper.toPrimaryResourceIDs(v2))
        .containsExactlyInAnyOrder(new ResourceID("geo", "a"), new ResourceID("geo-v2", "a"));
    assertThat(mapper.toPrimaryResourceIDs(elsewhere)).isEmpty();
  }

  @Test
  void theDefaultSelectorIsTheManagedDeploymentsPods() {
    var managed = hs("a", "auth", null);
    managed.getSpec().setImage("auth:1");
    var mapper = new PodToHotelServiceMapper(index(managed));
    Pod pod = Kube.pod("a", "auth-x", Labels.all(managed), "n", "10.0.0.1", true);
    assertThat(mapper.toPrimaryResourceIDs(pod)).containsExactly(new ResourceID("auth", "a"));
  }

  @Test
  void aHotelServicesPodsAreThoseInItsNamespaceCarryingAllOfItsSelector() {
    var geoV2 = hs("a", "geo-v2", Map.of("app", "geo", "track", "v2"));
    List<Pod> pods =
        List.of(
            Kube.pod("a", "geo-1", Map.of("app", "geo", "track", "v1"), "n", "10.0.0.1", true),
            Kube.pod(
                "a",
                "geo-2",
                Map.of("app", "geo", "track", "v2", "extra", "x"),
                "n",
                "10.0.0.2",
                true),
            Kube.pod("b", "geo-3", Map.of("app", "geo", "track", "v2"), "n", "10.0.0.3", true));
    var mapper =
        new HotelServiceToPodsMapper(
            key -> pods.stream().filter(p -> Labels.indexKeys(p).contains(key)).toList());

    assertThat(mapper.toSecondaryResourceIDs(geoV2)).containsExactly(new ResourceID("geo-2", "a"));
    var noSpec = hs("a", "broken", Map.of("app", "geo"));
    noSpec.setSpec(null);
    assertThat(mapper.toSecondaryResourceIDs(noSpec)).isEmpty();
  }

  /** The HotelService cache's selector index, over these HotelServices. */
  private static Function<String, List<HotelService>> index(HotelService... hotelServices) {
    return key ->
        Stream.of(hotelServices).filter(hs -> Labels.indexKeys(hs).contains(key)).toList();
  }

  @Test
  void readyIsRegisteredUnreadyStaysCriticalOnlyOnceRegisteredTerminatingIsNot() {
    var planner = new RegistrationPlanner("c");
    var geo = hs("a", "geo", Map.of("app", "geo"));
    Pod ready = Kube.pod("a", "ready", Map.of("app", "geo"), "node-1", "10.0.0.1", true);
    Pod neverReady = Kube.pod("a", "starting", Map.of("app", "geo"), "node-1", "10.0.0.2", false);
    Pod wasReady = Kube.pod("a", "was-ready", Map.of("app", "geo"), "node-1", "10.0.0.3", false);
    Pod terminating = Kube.pod("a", "leaving", Map.of("app", "geo"), "node-1", "10.0.0.4", true);
    terminating.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    Registration before =
        planner
            .desired(
                geo,
                List.of(
                    Kube.pod("a", "was-ready", Map.of("app", "geo"), "node-1", "10.0.0.3", true)),
                Map.of())
            .get(0);

    var desired =
        planner.desired(
            geo, List.of(ready, neverReady, wasReady, terminating), Map.of(before.id(), before));

    assertThat(desired)
        .extracting(Registration::id)
        .containsExactlyInAnyOrder("c:a:geo:ready:8080", "c:a:geo:was-ready:8080");
    assertThat(desired)
        .filteredOn(r -> r.id().endsWith("was-ready:8080"))
        .singleElement()
        .satisfies(r -> assertThat(r.passing()).isFalse());
    assertThat(desired.get(0).node()).isEqualTo("bellhop-c-node-1");
    assertThat(desired.get(0).meta())
        .containsEntry("k8s-pod", "ready")
        .containsEntry("hotelservice", "geo")
        .containsEntry("bellhop-cluster", "c")
        .containsEntry("managed-by", "bellhop");
  }

  @Test
  void onlyAnExposedHotelServicesInstancesCarryTheGatewaysOptIn() {
    var planner = new RegistrationPlanner("c");
    var geo = hs("a", "geo", Map.of("app", "geo"));
    Pod pod = Kube.pod("a", "ready", Map.of("app", "geo"), "node-1", "10.0.0.1", true);
    assertThat(planner.desired(geo, List.of(pod), Map.of()).get(0).meta())
        .doesNotContainKey("gateway-expose");
    geo.getSpec().setExpose(true);
    assertThat(planner.desired(geo, List.of(pod), Map.of()).get(0).meta())
        .containsEntry("gateway-expose", "true");
    // A user's meta cannot claim it: the key is Bellhop's.
    geo.getSpec().getConsul().setMeta(Map.of("gateway-expose", "true"));
    assertThat(HotelServiceValidator.validate(geo))
        .singleElement()
        .satisfies(p -> assertThat(p).contains("'gateway-expose' is reserved"));
  }

  @Test
  void envMayNotReadAConsulClustersCredentials() {
    ConsulCluster consul = new ConsulCluster();
    consul.getMetadata().setName("consul");
    consul.getMetadata().setNamespace("a");
    consul.setSpec(new ConsulClusterSpec());
    var auth = hs("a", "auth", Map.of("app", "auth"));
    auth.getSpec()
        .setEnv(
            List.of(
                secretEnv("AUTH_JWT_KEY", "jwt", "key"),
                secretEnv("T", "consul-acl-bootstrap", "token"),
                secretEnv("G", "consul-gossip", "key")));
    assertThat(HotelServiceValidator.credentialReferences(auth, List.of(consul)))
        .satisfiesExactly(
            p -> assertThat(p).startsWith("spec.env[1].valueFrom.secretKeyRef: Secret 'consul-acl"),
            p ->
                assertThat(p).startsWith("spec.env[2].valueFrom.secretKeyRef: Secret 'consul-gos"));
    assertThat(HotelServiceValidator.credentialReferences(auth, List.of())).isEmpty();
  }

  private static EnvVar secretEnv(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef(key, secret, false)
        .endValueFrom()
        .build();
  }

  @Test
  void validationNamesEveryBadField() {
    var bad = hs("a", "Bad_Name", Map.of("app", ""));
    bad.getSpec().setPort(0);
    bad.getSpec().setReplicas(-1L);
    bad.getSpec().getConsul().setTags(List.of("has space"));
    bad.getSpec().getConsul().setMeta(Map.of("managed-by", "me", "consul-x", "y"));
    bad.getSpec().getConsul().setCluster("Not A Name");

    assertThat(HotelServiceValidator.validate(bad))
        .anySatisfy(p -> assertThat(p).startsWith("spec.port"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.replicas"))
        .anySatisfy(p -> assertThat(p).startsWith("metadata.name"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.consul.tags"))
        .anySatisfy(p -> assertThat(p).contains("'managed-by' is reserved"))
        .anySatisfy(p -> assertThat(p).contains("'consul-x' is not a valid Consul meta key"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.consul.cluster"));

    var noSelector = hs("a", "geo", null);
    assertThat(HotelServiceValidator.validate(noSelector))
        .containsExactly("spec.selector is required when spec.image is not set");
    var emptySelector = hs("a", "geo", Map.of());
    assertThat(HotelServiceValidator.validate(emptySelector))
        .singleElement()
        .satisfies(p -> assertThat(p).startsWith("spec.selector must not be empty"));
    assertThat(HotelServiceValidator.validate(hs("a", "geo", Map.of("app", "geo")))).isEmpty();
  }
}
