package dev.bellhop.localcluster.apiserver.validation;

import static dev.bellhop.localcluster.apiserver.validation.Crds.causes;
import static dev.bellhop.localcluster.apiserver.validation.Crds.committed;
import static dev.bellhop.localcluster.apiserver.validation.Crds.object;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code crds/} as the local API server enforces them: good HotelServices and
 * ConsulClusters admitted, each bad field named in the causes, as {@code kubectl apply} shows them.
 */
class BellhopCrdsTest {
  private static final CustomResourceValidator HOTEL_SERVICES =
      committed("hotelservices.bellhop.dev-v1.yml");
  private static final CustomResourceValidator CONSUL_CLUSTERS =
      committed("consulclusters.bellhop.dev-v1.yml");
  private static final String HS =
      "apiVersion: bellhop.dev/v1alpha1\nkind: HotelService\nmetadata: {name: %s}\n";
  private static final String CC =
      "apiVersion: bellhop.dev/v1alpha1\nkind: ConsulCluster\nmetadata: {name: %s}\n";

  private static List<String> hotelService(String name, String spec) {
    return causes(HOTEL_SERVICES, HS.formatted(name) + "spec: " + spec);
  }

  private static List<String> consulCluster(String name, String spec) {
    return causes(CONSUL_CLUSTERS, CC.formatted(name) + "spec: " + spec);
  }

  @Test
  void goodHotelServicesAreAdmitted() {
    assertThat(
            hotelService(
                "rate",
                """
        {image: registry.example.com/bellhop/rate:1, replicas: 3, port: 8084,
         env: [{name: LOG_LEVEL, value: debug}],
         consul: {cluster: consul, serviceName: rate, tags: [v1, primary], meta: {version: '1'}}}"""))
        .isEmpty();
    assertThat(
            hotelService(
                "legacy.geo",
                "{port: 8082, selector: {app: geo, tier: backend},"
                    + " consul: {serviceName: geo}}"))
        .isEmpty();
  }

  @Test
  void theShippedManifestsAreAdmitted() throws Exception {
    int checked = 0;
    try (var parser =
        Crds.YAML.createParser(Crds.repoRoot().resolve("k8s/bellhop.yaml").toFile())) {
      for (var docs =
              Crds.YAML.readValues(parser, com.fasterxml.jackson.databind.node.ObjectNode.class);
          docs.hasNext(); ) {
        var doc = docs.next();
        String kind = doc.path("kind").asText();
        if (kind.equals("HotelService") || kind.equals("ConsulCluster")) {
          var validator = kind.equals("HotelService") ? HOTEL_SERVICES : CONSUL_CLUSTERS;
          assertThat(causes(validator, doc, null))
              .as("%s %s", kind, doc.path("metadata").path("name"))
              .isEmpty();
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
  }

  @Test
  void replicasBeyondInt32IsRefusedWithTheField() {
    assertThat(hotelService("rate", "{image: rate:1, replicas: 3000000000, port: 8084}"))
        .containsExactly(
            "spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 2147483647");
  }

  @Test
  void eachBadHotelServiceFieldIsNamed() {
    assertThat(
            hotelService(
                "rate",
                """
        {image: 'two words', replicas: -1, port: 70000, selector: {app: 'not a label value'},
         consul: {cluster: Consul_1, serviceName: 'bad_name', tags: ['has space'], meta: {version: '%s'}}}"""
                    .formatted("x".repeat(513))))
        .containsExactlyInAnyOrder(
            "spec.consul.cluster: Invalid value: \"Consul_1\": spec.consul.cluster in body should match "
                + "'^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'",
            "spec.consul.serviceName: Invalid value: \"bad_name\": spec.consul.serviceName in body should match "
                + "'^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$'",
            "spec.consul.tags[0]: Invalid value: \"has space\": spec.consul.tags[0] in body should match "
                + "'^\\S{1,255}$'",
            "spec.consul.meta.version: Too long: may not be longer than 512",
            "spec.image: Invalid value: \"two words\": spec.image in body should match '^\\S+$'",
            "spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535",
            "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
            "spec.selector.app: Invalid value: \"not a label value\": spec.selector.app in body should match "
                + "'^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$'",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
                + "correct the existing errors to complete validation");
  }

  @Test
  void selectorIsRequiredWithoutImage() {
    assertThat(hotelService("geo", "{port: 8082}"))
        .containsExactly(
            "spec: Invalid value: \"object\": spec.selector is required when spec.image is not set");
    assertThat(hotelService("geo", "{port: 8082, selector: {}}"))
        .containsExactly(
            "spec.selector: Invalid value: 0: spec.selector in body should have at least 1 properties");
    assertThat(hotelService("geo", "{selector: {app: geo}}"))
        .first()
        .isEqualTo("spec.port: Required value");
  }

  @Test
  void namesServicesAndContainersRejectAreRefusedAtTheApi() {
    // With an image the name becomes a Service and a container: a DNS-1035 label.
    assertThat(hotelService("9lives", "{image: a:1, port: 80, consul: {serviceName: lives}}"))
        .containsExactly(
            "<nil>: Invalid value: \"object\": metadata.name must be a DNS-1035 label (a lower-case letter, then letters,"
                + " digits and '-', at most 63) when spec.image is set: it names the Service and the container");
    assertThat(hotelService("a".repeat(64), "{image: a:1, port: 80, consul: {serviceName: lives}}"))
        .hasSize(1);
    // Without serviceName the name is the Consul service name: no dots.
    assertThat(hotelService("legacy.geo", "{port: 8082, selector: {app: geo}}"))
        .containsExactly(
            "<nil>: Invalid value: \"object\": metadata.name is the Consul service name unless spec.consul.serviceName"
                + " is set: letters, digits and '-', at most 63, so that DNS can find it");
    assertThat(hotelService("Geo", "{port: 8082, selector: {app: geo}}"))
        .first()
        .asString()
        .startsWith("metadata.name: Invalid value: \"Geo\": a lowercase RFC 1123 subdomain");
  }

  @Test
  void unknownHotelServiceFieldsAreRefusedUnderStrict() {
    assertThat(hotelService("geo", "{port: 8082, selector: {app: geo}, replica: 2}"))
        .containsExactly(
            "400 HotelService in version \"v1alpha1\" cannot be handled as a HotelService: strict decoding error: "
                + "unknown field \"spec.replica\"");
  }

  @Test
  void goodConsulClustersAreAdmitted() {
    assertThat(consulCluster("consul", "{}")).isEmpty();
    assertThat(
            consulCluster(
                "consul",
                """
        {servers: 5, image: 'hashicorp/consul:1.8.7', datacenter: dc-1, agents: {enabled: true},
         storage: {size: 2Gi, storageClassName: fast.ssd}, gossipEncryption: {secretName: gossip, secretKey: key},
         acl: {enabled: true}, tls: {enabled: true, secretName: consul-tls}, ui: {serviceType: NodePort}}"""))
        .isEmpty();
  }

  @Test
  void eachBadConsulClusterFieldIsNamed() {
    assertThat(consulCluster("consul", "{servers: 4}"))
        .containsExactly(
            "spec.servers: Invalid value: \"integer\": spec.servers must be odd (a raft quorum)");
    assertThat(consulCluster("consul", "{servers: 9, ui: {serviceType: Headless}}"))
        .containsExactly(
            "spec.servers: Invalid value: 9: spec.servers in body should be less than or equal to 7",
            "spec.ui.serviceType: Unsupported value: \"Headless\": supported values: \"ClusterIP\", \"LoadBalancer\", "
                + "\"NodePort\"",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
                + "correct the existing errors to complete validation");
    assertThat(consulCluster("consul", "{tls: {enabled: true}}"))
        .as("TLS needs no Secret of yours: Bellhop runs its own CA")
        .isEmpty();
    assertThat(consulCluster("consul", "{tls: {secretName: My_Certs}}"))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("spec.tls.secretName: Invalid value: \"My_Certs\"");
    assertThat(
            consulCluster(
                "consul",
                """
        {datacenter: DC1, storage: {size: lots, storageClassName: Fast}, gossipEncryption: {secretName: a_b}}"""))
        .extracting(c -> c.substring(0, c.indexOf(':')))
        .containsExactlyInAnyOrder(
            "spec.datacenter",
            "spec.gossipEncryption.secretName",
            "spec.storage.size",
            "spec.storage.storageClassName");
    assertThat(consulCluster("a-consul-cluster-name-that-is-longer-than-45-chars", "{}"))
        .containsExactly(
            "<nil>: Invalid value: \"object\": metadata.name must be a DNS label of at most 45 characters starting with a"
                + " letter (it names the Services and the server pods)");
  }

  @Test
  void theStatusSubresourceIsValidatedToo() {
    var hs =
        object(
            HS.formatted("geo")
                + "spec: {port: 8082, selector: {app: geo}}\nstatus: {readyEndpoints: x}");
    assertThat(causes(HOTEL_SERVICES, hs, null))
        .first()
        .isEqualTo(
            "status.readyEndpoints: Invalid value: \"string\": status.readyEndpoints in body must be of type integer: "
                + "\"string\"");
  }
}
