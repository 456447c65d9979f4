package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * helm lint, helm template with default and non-default values, every object complete in the
 * fabric8 model.
 */
class ChartTest {
  static final List<String> HOTEL_SERVICES = List.of("auth", "geo", "profile", "rate", "hotel");
  static final Map<String, Integer> PORTS =
      Map.of("auth", 8081, "geo", 8082, "profile", 8083, "rate", 8084, "hotel", 8085);

  @Test
  void lintIsClean() {
    LintResult result = new Helm(Charts.chart()).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void chartCrdsAreTheTopLevelCrds() throws IOException {
    Path root = Charts.repoRoot();
    assertThat(fileNames(Charts.chart().resolve("crds")))
        .isEqualTo(fileNames(root.resolve("crds")));
    for (String name : fileNames(root.resolve("crds"))) {
      assertThat(Files.readString(Charts.chart().resolve("crds").resolve(name)))
          .as("helm/bellhop/crds/%s differs from crds/%s (copy it over)", name, name)
          .isEqualTo(Files.readString(root.resolve("crds").resolve(name)));
    }
  }

  @Test
  void defaultValuesRenderTheWholeSystem() {
    List<HasMetadata> objects = Charts.objects(Charts.template(Map.of()));
    assertComplete(objects);
    assertThat(objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList())
        .containsExactlyInAnyOrder(
            "ServiceAccount/bellhop-operator",
            "ClusterRole/bellhop-operator",
            "ClusterRoleBinding/bellhop-operator",
            "Role/bellhop-operator-leader-election",
            "RoleBinding/bellhop-operator-leader-election",
            "Deployment/bellhop-operator",
            "Service/bellhop-operator-metrics",
            "ConsulCluster/consul",
            "HotelService/auth",
            "HotelService/geo",
            "HotelService/profile",
            "HotelService/rate",
            "HotelService/hotel",
            "Deployment/bellhop-gateway",
            "Service/bellhop-gateway",
            "Ingress/bellhop-gateway",
            "NetworkPolicy/consul-consul",
            "NetworkPolicy/bellhop-hotel-services",
            "NetworkPolicy/bellhop-operator");

    Deployment operator = deployment(objects, "bellhop-operator");
    assertThat(operator.getSpec().getReplicas()).isEqualTo(2);
    Container op = operator.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(op.getImage()).isEqualTo("bellhop/operator:0.1.0-SNAPSHOT");
    assertThat(env(op, "BELLHOP_LEASE_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env(op, "BELLHOP_CONSUL_READBACK_SECONDS").getValue()).isEqualTo("300");
    assertThat(env(op, "BELLHOP_IMAGE").getValue())
        .as("what snapshot Jobs run")
        .isEqualTo(op.getImage());
    assertThat(op.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(op.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("bellhop-operator");

    ConsulCluster consul = Charts.ofType(objects, ConsulCluster.class).get(0);
    assertThat(consul.getSpec().getServers()).isEqualTo(3);
    assertThat(consul.getSpec().getBackup()).as("backups wait for a claim of yours").isNull();
    for (HotelService hs : Charts.ofType(objects, HotelService.class)) {
      String name = hs.getMetadata().getName();
      assertThat(hs.getSpec().getImage()).isEqualTo("bellhop/" + name + ":0.1.0-SNAPSHOT");
      assertThat(hs.getSpec().getPort()).isEqualTo(PORTS.get(name));
      assertThat(hs.getSpec().getConsul().getCluster()).isEqualTo("consul");
      // The public API only: Auth.Login and Hotel.Rates; the others are internal.
      assertThat(hs.getSpec().exposed()).as(name).isEqualTo(Set.of("auth", "hotel").contains(name));
    }
    HotelService hotel = hotelService(objects, "hotel");
    assertThat(hotel.getSpec().getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .contains(
            org.assertj.core.groups.Tuple.tuple("AUTH_ADDR", "dns-srv:auth.service.consul"),
            org.assertj.core.groups.Tuple.tuple("RATE_ADDR", "dns-srv:rate.service.consul"),
            org.assertj.core.groups.Tuple.tuple("DNS_SERVER", "consul-agent.bellhop.svc:8600"));
    // Through the node's Consul agent: its node-local Service (no host ports, which Pod Security
    // refuses).
    assertThat(consul.getSpec().getAgents().getEnabled()).isTrue();
    assertThat(hotel.getSpec().getEnv()).extracting(EnvVar::getName).doesNotContain("HOST_IP");

    Container gw =
        deployment(objects, "bellhop-gateway")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(gw.getImage()).isEqualTo("bellhop/gateway:0.1.0-SNAPSHOT");
    // Secure by default (issue #16): HTTPS verifying that a server answers, the CA only mounted,
    // and the read-only token the operator makes for the gateway.
    assertThat(env(gw, "CONSUL_HTTP_ADDR").getValue()).isEqualTo("https://consul.bellhop.svc:8501");
    assertThat(env(gw, "CONSUL_TLS_SERVER_NAME").getValue()).isEqualTo("server.dc1.consul");
    assertThat(env(gw, "CONSUL_CACERT").getValue()).isEqualTo("/consul/tls/ca.crt");
    assertThat(
            deployment(objects, "bellhop-gateway").getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSecret().getSecretName()).isEqualTo("consul-tls");
              assertThat(v.getSecret().getItems())
                  .extracting(i -> i.getKey())
                  .containsExactly("ca.crt");
            });
    assertThat(env(gw, "CONSUL_HTTP_TOKEN").getValueFrom().getSecretKeyRef())
        .satisfies(
            ref -> {
              assertThat(ref.getName()).isEqualTo("consul-gateway-token");
              assertThat(ref.getKey()).isEqualTo("token");
            });
    assertThat(gw.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
    // It publishes its own namespace's HotelServices, and keeps probes and metrics off the port
    // the Ingress reaches.
    assertThat(env(gw, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(gw.getEnv()).extracting(EnvVar::getName).doesNotContain("GATEWAY_TRUSTED_PROXIES");
    assertThat(env(gw, "ADMIN_PORT").getValue()).isEqualTo("9090");
    assertThat(gw.getPorts())
        .extracting(p -> p.getName(), p -> p.getContainerPort())
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("http", 8080),
            org.assertj.core.groups.Tuple.tuple("admin", 9090));
    assertThat(gw.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(gw.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(
            deployment(objects, "bellhop-gateway")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations())
        .containsEntry("prometheus.io/port", "9090")
        .containsEntry("prometheus.io/path", "/metrics");
    Service gwService =
        Charts.ofType(objects, Service.class).stream()
            .filter(s -> s.getMetadata().getName().equals("bellhop-gateway"))
            .findFirst()
            .orElseThrow();
    assertThat(gwService.getSpec().getPorts())
        .extracting(p -> p.getTargetPort().getStrVal())
        .containsExactly("http");
    Ingress ingress = Charts.ofType(objects, Ingress.class).get(0);
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("bellhop.example.com");
    assertThat(ingress.getSpec().getTls()).isNullOrEmpty();
  }

  @Test
  void nonDefaultValues() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("image.registry", "registry.example.com/");
    values.put("image.tag", "1.2.3");
    values.put("operator.replicas", "1");
    values.put("operator.leaderElection", "false");
    values.put("operator.watchNamespaces[0]", "bellhop");
    values.put("operator.watchNamespaces[1]", "shop");
    values.put("operator.clusterId", "eu-west");
    values.put("operator.consulReadbackSeconds", "0");
    values.put("consul.servers", "5");
    values.put("consul.resources.limits.memory", "1Gi");
    values.put("consul.acl.enabled", "true");
    values.put("consul.tls.enabled", "true");
    values.put("consul.tls.secretName", "my-consul-certs");
    values.put("consul.agents.enabled", "false");
    values.put("consul.backup.claim", "consul-backups");
    values.put("consul.backup.schedule", "0 3 * * *");
    values.put("services.geo.enabled", "false");
    values.put("services.rate.replicas", "3");
    values.put("services.rate.image.tag", "rate-fix");
    values.put("services.auth.replicas", "2");
    values.put("services.auth.jwtKeySecret.name", "auth-jwt");
    values.put("serviceDefaults.tags[0]", "v1");
    values.put("gateway.consul.tokenSecret.name", "gateway-consul-token");
    values.put("gateway.trustedProxies[0]", "10.244.0.0/16");
    values.put("gateway.trustedProxies[1]", "192.168.1.10");
    values.put("ingress.className", "traefik");
    values.put("ingress.host", "api.hotel.test");
    values.put("ingress.tls.enabled", "true");
    values.put("ingress.tls.secretName", "api-cert");
    List<HasMetadata> objects = Charts.objects(Charts.template(values));
    assertComplete(objects);

    // Namespaced: the operator's Role and binding in each watched namespace, nothing cluster-wide,
    // and no leader election's.
    assertThat(Charts.ofType(objects, ClusterRole.class)).isEmpty();
    assertThat(Charts.ofType(objects, ClusterRoleBinding.class)).isEmpty();
    assertThat(Charts.ofType(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactly("bellhop/bellhop-operator", "shop/bellhop-operator");
    assertThat(Charts.ofType(objects, RoleBinding.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactly("bellhop/bellhop-operator", "shop/bellhop-operator");
    Container op =
        deployment(objects, "bellhop-operator")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(op.getImage()).isEqualTo("registry.example.com/bellhop/operator:1.2.3");
    assertThat(op.getEnv()).extracting(EnvVar::getName).doesNotContain("BELLHOP_LEASE_NAMESPACE");
    assertThat(env(op, "BELLHOP_NAMESPACES").getValue()).isEqualTo("bellhop,shop");
    assertThat(env(op, "BELLHOP_CLUSTER_ID").getValue()).isEqualTo("eu-west");
    assertThat(env(op, "BELLHOP_CONSUL_READBACK_SECONDS").getValue()).isEqualTo("0");
    assertThat(env(op, "BELLHOP_IMAGE").getValue())
        .isEqualTo("registry.example.com/bellhop/operator:1.2.3");

    ConsulCluster consul = Charts.ofType(objects, ConsulCluster.class).get(0);
    assertThat(consul.getSpec().getServers()).isEqualTo(5);
    assertThat(consul.getSpec().getBackup().getClaim()).isEqualTo("consul-backups");
    assertThat(consul.getSpec().getBackup().getSchedule()).isEqualTo("0 3 * * *");
    assertThat(consul.getSpec().getBackup().getRetain()).isEqualTo(24);
    assertThat(consul.getSpec().getResources().getLimits().get("memory").toString())
        .isEqualTo("1Gi");
    assertThat(consul.getSpec().getAcl().getEnabled()).isTrue();
    assertThat(consul.getSpec().getTls().getSecretName()).isEqualTo("my-consul-certs");

    assertThat(Charts.ofType(objects, HotelService.class))
        .extracting(h -> h.getMetadata().getName())
        .containsExactlyInAnyOrder("auth", "profile", "rate", "hotel");
    HotelService rate = hotelService(objects, "rate");
    assertThat(rate.getSpec().getReplicas()).isEqualTo(3L);
    assertThat(rate.getSpec().getImage()).isEqualTo("registry.example.com/bellhop/rate:rate-fix");
    assertThat(rate.getSpec().getConsul().getTags()).containsExactly("v1");
    // Without agents, the hotel resolves through the ConsulCluster's Service.
    assertThat(env(hotelService(objects, "hotel").getSpec().getEnv(), "DNS_SERVER").getValue())
        .isEqualTo("consul.bellhop.svc:8600");
    assertThat(hotelService(objects, "hotel").getSpec().getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain("HOST_IP");
    assertThat(
            env(hotelService(objects, "auth").getSpec().getEnv(), "AUTH_JWT_KEY")
                .getValueFrom()
                .getSecretKeyRef()
                .getName())
        .isEqualTo("auth-jwt");

    Deployment gateway = deployment(objects, "bellhop-gateway");
    Container gw = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(gw, "CONSUL_HTTP_ADDR").getValue()).isEqualTo("https://consul.bellhop.svc:8501");
    assertThat(env(gw, "CONSUL_CACERT").getValue()).isEqualTo("/consul/tls/ca.crt");
    assertThat(env(gw, "GATEWAY_TRUSTED_PROXIES").getValue())
        .isEqualTo("10.244.0.0/16,192.168.1.10");
    assertThat(env(gw, "CONSUL_HTTP_TOKEN").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("gateway-consul-token");
    assertThat(gateway.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v -> v.getSecret() != null && "my-consul-certs".equals(v.getSecret().getSecretName()));

    Ingress ingress = Charts.ofType(objects, Ingress.class).get(0);
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("traefik");
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("api.hotel.test");
    assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("api-cert");
    assertThat(ingress.getSpec().getTls().get(0).getHosts()).containsExactly("api.hotel.test");
  }

  @Test
  void optionalPartsCanBeLeftOut() {
    List<HasMetadata> objects =
        Charts.objects(
            Charts.template(
                Map.of(
                    "consul.enabled",
                    "false",
                    "gateway.enabled",
                    "false",
                    "services.hotel.enabled",
                    "false")));
    assertComplete(objects);
    assertThat(objects).noneMatch(o -> o instanceof ConsulCluster || o instanceof Ingress);
    assertThat(Charts.ofType(objects, Deployment.class)).hasSize(1);
    assertThat(Charts.ofType(objects, HotelService.class)).hasSize(4);
  }

  /**
   * Without the chart's ConsulCluster there is no Bellhop CA (nor gateway token) to mount: the
   * gateway reads the Consul you point it at as before, and with TLS only with a CA you name.
   */
  @Test
  void aGatewayWithoutTheChartsConsulMountsNoCaOfBellhops() {
    List<HasMetadata> objects =
        Charts.objects(
            Charts.template(
                Map.of("consul.enabled", "false", "gateway.consulAddress", "consul.example:8500")));
    Deployment gateway = deployment(objects, "bellhop-gateway");
    Container gw = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(gw, "CONSUL_HTTP_ADDR").getValue()).isEqualTo("consul.example:8500");
    assertThat(gw.getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain("CONSUL_CACERT", "CONSUL_TLS_SERVER_NAME", "CONSUL_HTTP_TOKEN");
    assertThat(gateway.getSpec().getTemplate().getSpec().getVolumes())
        .noneMatch(v -> v.getSecret() != null);

    Deployment withCa =
        deployment(
            Charts.objects(
                Charts.template(
                    Map.of("consul.enabled", "false", "consul.tls.secretName", "their-ca"))),
            "bellhop-gateway");
    assertThat(withCa.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(v -> v.getSecret() != null && "their-ca".equals(v.getSecret().getSecretName()));
  }

  @Test
  void watchedNamespacesIncludeTheReleaseNamespaceWhereTheChartPutsResources() {
    assertThatThrownBy(() -> Charts.template(Map.of("operator.watchNamespaces[0]", "shop")))
        .hasMessageContaining("leaves out the release namespace \"bellhop\"");
    // The operator alone (no ConsulCluster, no HotelService here) may watch other namespaces only.
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("operator.watchNamespaces[0]", "shop");
    values.put("consul.enabled", "false");
    for (String name : PORTS.keySet()) {
      values.put("services." + name + ".enabled", "false");
    }
    List<HasMetadata> objects = Charts.objects(Charts.template(values));
    assertThat(Charts.ofType(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "shop/bellhop-operator", "bellhop/bellhop-operator-leader-election");
    assertThat(Charts.ofType(objects, ClusterRole.class)).isEmpty();
  }

  @Test
  void schemaRejectsBadValues() {
    assertThatThrownBy(() -> Charts.template(Map.of("consul.servers", "2")))
        .hasMessageContaining("servers");
    assertThatThrownBy(() -> Charts.template(Map.of("operator.clusterId", "Not_A_Label")))
        .hasMessageContaining("clusterId");
    assertThatThrownBy(() -> Charts.template(Map.of("operator.watchNamespaces[0]", "Bell_hop")))
        .hasMessageContaining("watchNamespaces");
    assertThatThrownBy(
            () ->
                Charts.template(
                    Map.of(
                        "operator.watchNamespaces[0]", "bellhop",
                        "operator.watchNamespaces[1]", "bellhop")))
        .hasMessageContaining("watchNamespaces");
  }

  /**
   * What every rendered object needs; workloads: runnable, probed, bounded, hardened; references
   * resolve.
   */
  static void assertComplete(List<HasMetadata> objects) {
    Set<String> clusterScoped = Set.of("ClusterRole", "ClusterRoleBinding");
    for (HasMetadata o : objects) {
      String id = o.getKind() + "/" + o.getMetadata().getName();
      assertThat(o.getApiVersion()).as(id).isNotBlank();
      assertThat(o.getKind()).as(id).isNotBlank();
      assertThat(o.getMetadata().getName()).as(id).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
      assertThat(o.getMetadata().getLabels())
          .as(id)
          .containsEntry("app.kubernetes.io/part-of", "bellhop");
      if (clusterScoped.contains(o.getKind())) {
        assertThat(o.getMetadata().getNamespace()).as(id).isNull();
      } else if (o.getMetadata().getName().equals("bellhop-operator")
          && Set.of("Role", "RoleBinding").contains(o.getKind())) {
        // The operator's rights in each namespace it watches (operator.watchNamespaces).
        assertThat(o.getMetadata().getNamespace()).as(id).isNotBlank();
      } else {
        assertThat(o.getMetadata().getNamespace()).as(id).isEqualTo(Charts.NAMESPACE);
      }
    }
    for (Deployment d : Charts.ofType(objects, Deployment.class)) {
      String id = "Deployment/" + d.getMetadata().getName();
      var pod = d.getSpec().getTemplate();
      assertThat(d.getSpec().getReplicas()).as(id).isNotNull();
      assertThat(pod.getMetadata().getLabels())
          .as(id)
          .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
      assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).as(id).isTrue();
      for (Container c : pod.getSpec().getContainers()) {
        assertThat(c.getImage()).as(id).isNotBlank();
        assertThat(c.getLivenessProbe()).as(id).isNotNull();
        assertThat(c.getReadinessProbe()).as(id).isNotNull();
        assertThat(c.getResources().getRequests()).as(id).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as(id).containsKeys("cpu", "memory");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(id).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(id).isFalse();
        Set<String> ports = c.getPorts().stream().map(p -> p.getName()).collect(Collectors.toSet());
        assertThat(ports).as(id).contains(c.getLivenessProbe().getHttpGet().getPort().getStrVal());
        assertThat(ports).as(id).contains(c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        Set<String> volumes =
            pod.getSpec().getVolumes().stream().map(v -> v.getName()).collect(Collectors.toSet());
        c.getVolumeMounts().forEach(m -> assertThat(volumes).as(id).contains(m.getName()));
      }
      if (pod.getSpec().getServiceAccountName() != null) {
        assertThat(Charts.ofType(objects, ServiceAccount.class))
            .as(id)
            .anyMatch(
                sa -> sa.getMetadata().getName().equals(pod.getSpec().getServiceAccountName()));
      }
    }
    for (Service s : Charts.ofType(objects, Service.class)) {
      String id = "Service/" + s.getMetadata().getName();
      // Every Service selects the pods of one of the chart's Deployments, on a port those pods
      // name.
      Deployment target =
          Charts.ofType(objects, Deployment.class).stream()
              .filter(
                  d ->
                      d.getSpec()
                          .getTemplate()
                          .getMetadata()
                          .getLabels()
                          .entrySet()
                          .containsAll(s.getSpec().getSelector().entrySet()))
              .findFirst()
              .orElseThrow(() -> new AssertionError(id + " selects no Deployment"));
      Set<String> ports =
          target.getSpec().getTemplate().getSpec().getContainers().stream()
              .flatMap(c -> c.getPorts().stream())
              .map(p -> p.getName())
              .collect(Collectors.toSet());
      s.getSpec()
          .getPorts()
          .forEach(p -> assertThat(ports).as(id).contains(p.getTargetPort().getStrVal()));
    }
    for (Ingress i : Charts.ofType(objects, Ingress.class)) {
      assertThat(i.getSpec().getIngressClassName()).isNotBlank();
      for (var rule : i.getSpec().getRules()) {
        assertThat(rule.getHost()).isNotBlank();
        for (var path : rule.getHttp().getPaths()) {
          var backend = path.getBackend().getService();
          Service s =
              Charts.ofType(objects, Service.class).stream()
                  .filter(x -> x.getMetadata().getName().equals(backend.getName()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new AssertionError(
                              "Ingress backend " + backend.getName() + " not rendered"));
          assertThat(s.getSpec().getPorts())
              .anyMatch(p -> p.getName().equals(backend.getPort().getName()));
        }
      }
    }
    for (HotelService hs : Charts.ofType(objects, HotelService.class)) {
      String id = "HotelService/" + hs.getMetadata().getName();
      assertThat(hs.getSpec().getImage()).as(id).isNotBlank();
      assertThat(hs.getSpec().getPort()).as(id).isBetween(1, 65535);
      assertThat(hs.getSpec().getReplicas()).as(id).isNotNull();
      assertThat(hs.getSpec().getConsul().getServiceName())
          .as(id)
          .isEqualTo(hs.getMetadata().getName());
      (hs.getSpec().getEnv() == null ? List.<EnvVar>of() : hs.getSpec().getEnv())
          .forEach(e -> assertThat(e.getName()).as(id).isNotBlank());
    }
    for (ClusterRoleBinding b : Charts.ofType(objects, ClusterRoleBinding.class)) {
      assertThat(Charts.ofType(objects, ClusterRole.class))
          .anyMatch(r -> r.getMetadata().getName().equals(b.getRoleRef().getName()));
      b.getSubjects()
          .forEach(
              s ->
                  assertThat(Charts.ofType(objects, ServiceAccount.class))
                      .anyMatch(sa -> sa.getMetadata().getName().equals(s.getName())));
    }
    for (RoleBinding b : Charts.ofType(objects, RoleBinding.class)) {
      assertThat(Charts.ofType(objects, Role.class))
          .anyMatch(
              r ->
                  r.getMetadata().getName().equals(b.getRoleRef().getName())
                      && r.getMetadata().getNamespace().equals(b.getMetadata().getNamespace()));
    }
  }

  static Deployment deployment(List<HasMetadata> objects, String name) {
    return Charts.ofType(objects, Deployment.class).stream()
        .filter(d -> d.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  static HotelService hotelService(List<HasMetadata> objects, String name) {
    return Charts.ofType(objects, HotelService.class).stream()
        .filter(d -> d.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  static EnvVar env(Container c, String name) {
    return env(c.getEnv(), name);
  }

  static EnvVar env(List<EnvVar> env, String name) {
    return env.stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + env));
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
