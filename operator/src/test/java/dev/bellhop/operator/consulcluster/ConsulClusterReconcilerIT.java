package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.OperatorConfig;
import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.testing.RunningOperator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ConsulCluster controller against the mock API server: the objects it writes, defaults,
 * updates, validation.
 */
class ConsulClusterReconcilerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static RunningOperator running;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    // No Consul behind this operator: these tests are about Kubernetes objects.
    running =
        RunningOperator.start(new OperatorConfig("127.0.0.1:1", null, "test", Set.of(), -1, null));
    client = running.client();
  }

  @AfterAll
  static void stop() {
    RunningOperator.close(running);
  }

  static ConsulCluster consulCluster(String ns, String name, Consumer<ConsulClusterSpec> edit) {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName(name);
    cc.getMetadata().setNamespace(ns);
    ConsulClusterSpec spec = new ConsulClusterSpec();
    edit.accept(spec);
    cc.setSpec(spec);
    return cc;
  }

  static ConsulCluster create(ConsulCluster cc) {
    return client.resource(cc).create();
  }

  static ConsulCluster get(String ns, String name) {
    return client.resources(ConsulCluster.class).inNamespace(ns).withName(name).get();
  }

  /** Edits the spec like kubectl edit: on a conflict with the operator's status write, again. */
  static void edit(String ns, String name, Consumer<ConsulClusterSpec> edit) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              client
                  .resources(ConsulCluster.class)
                  .inNamespace(ns)
                  .withName(name)
                  .edit(
                      cc -> {
                        edit.accept(cc.getSpec());
                        return cc;
                      });
              return true;
            });
  }

  static <T> T awaitObject(Supplier<T> get) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(get::get, o -> o != null);
  }

  static void eventually(Runnable assertion) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .untilAsserted(assertion::run);
  }

  static StatefulSet statefulSet(String ns, String name) {
    return client.apps().statefulSets().inNamespace(ns).withName(name).get();
  }

  static JsonNode config(String ns, String cmName, String key) {
    ConfigMap cm = client.configMaps().inNamespace(ns).withName(cmName).get();
    try {
      return JSON.readTree(cm.getData().get(key));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Container consulContainer(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  static Map<String, Integer> ports(Service svc) {
    return svc.getSpec().getPorts().stream()
        .collect(java.util.stream.Collectors.toMap(p -> p.getName(), ServicePort::getPort));
  }

  @Test
  void defaultsMakeThreeServersWithEveryObject() throws Exception {
    String ns = "defaults";
    ConsulCluster cc = create(consulCluster(ns, "consul", spec -> {}));

    StatefulSet sts = awaitObject(() -> statefulSet(ns, "consul-server"));
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("consul-server");
    assertThat(sts.getSpec().getUpdateStrategy().getType())
        .as("Bellhop rolls the servers itself")
        .isEqualTo("OnDelete");
    assertThat(sts.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(cc.getMetadata().getUid()));
    var selector = sts.getSpec().getSelector().getMatchLabels();
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(selector);
    var podSpec = sts.getSpec().getTemplate().getSpec();
    var antiAffinity =
        podSpec
            .getAffinity()
            .getPodAntiAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution();
    assertThat(antiAffinity)
        .singleElement()
        .satisfies(
            term -> {
              assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
              assertThat(term.getLabelSelector().getMatchLabels()).isEqualTo(selector);
            });
    assertThat(podSpec.getSecurityContext().getRunAsNonRoot()).isTrue();
    Container c = consulContainer(sts);
    assertThat(c.getImage()).isEqualTo("hashicorp/consul:1.8.7");
    assertThat(c.getResources().getRequests())
        .as("Burstable, not BestEffort")
        .containsEntry("cpu", new Quantity("100m"))
        .containsEntry("memory", new Quantity("128Mi"));
    assertThat(c.getResources().getLimits())
        .as("a memory limit, no CPU limit")
        .containsOnlyKeys("memory")
        .containsEntry("memory", new Quantity("512Mi"));
    assertThat(c.getCommand()).containsExactly("consul");
    assertThat(c.getArgs())
        .containsExactly(
            "agent",
            "-config-dir=/consul/config",
            "-node=$(POD_NAME)",
            "-advertise=$(POD_IP)",
            "-config-file=/consul/gossip/gossip.json");
    assertThat(String.join(" ", c.getReadinessProbe().getExec().getCommand()))
        .contains("/v1/status/leader");
    // The gossip key is on no command line and in no environment: a mounted configuration file
    // made from the generated key's Secret.
    assertThat(c.getEnv())
        .noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null);
    assertThat(c.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath() + ":" + m.getReadOnly())
        .contains("gossip:/consul/gossip:true");
    assertThat(podSpec.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("gossip");
              assertThat(v.getSecret().getSecretName()).isEqualTo("consul-gossip-config");
            });
    String generatedKey =
        ConsulClusterResources.secretValue(
            awaitObject(() -> client.secrets().inNamespace(ns).withName("consul-gossip").get()),
            "key");
    assertThat(JSON.readTree(gossipConfig(ns, "consul")))
        .isEqualTo(JSON.createObjectNode().put("encrypt", generatedKey));
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_IP");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
            });
    assertThat(c.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains("data:/consul/data", "config:/consul/config");
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getMetadata().getName()).isEqualTo("data");
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("1Gi");
    assertThat(podSpec.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("config");
              assertThat(v.getConfigMap().getName()).isEqualTo("consul-config");
            });

    JsonNode server = config(ns, "consul-config", "server.json");
    assertThat(server.get("server").asBoolean()).isTrue();
    assertThat(server.get("bootstrap_expect").asInt()).isEqualTo(3);
    assertThat(server.get("datacenter").asText()).isEqualTo("dc1");
    assertThat(server.get("data_dir").asText()).isEqualTo("/consul/data");
    assertThat(server.get("retry_join"))
        .extracting(JsonNode::asText)
        .containsExactly(
            "consul-server-0.consul-server.defaults.svc",
            "consul-server-1.consul-server.defaults.svc",
            "consul-server-2.consul-server.defaults.svc");
    assertThat(server.get("leave_on_terminate").asBoolean()).isTrue();
    assertThat(server.at("/autopilot/cleanup_dead_servers").asBoolean()).isTrue();
    assertThat(server.at("/performance/raft_multiplier").asInt()).isEqualTo(1);
    assertThat(server.get("ui").asBoolean()).isTrue();
    // Secure by default: default-deny ACLs without asking.
    assertThat(server.at("/acl/enabled").asBoolean()).isTrue();
    assertThat(server.at("/acl/default_policy").asText()).isEqualTo("deny");
    assertThat(server.has("encrypt")).as("the key stays in its Secret").isFalse();
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(ConsulClusterResources.CONFIG_HASH);

    Service headless = client.services().inNamespace(ns).withName("consul-server").get();
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getSelector()).isEqualTo(selector);
    assertThat(ports(headless))
        .containsEntry("server", 8300)
        .containsEntry("serflan-tcp", 8301)
        .containsEntry("serflan-udp", 8301)
        .containsEntry("https", 8501)
        .doesNotContainKey("http");
    Service clientSvc = client.services().inNamespace(ns).withName("consul").get();
    assertThat(clientSvc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(clientSvc.getSpec().getSelector()).isEqualTo(selector);
    assertThat(ports(clientSvc))
        .as("TLS by default: HTTP only inside the pods")
        .containsEntry("https", 8501)
        .doesNotContainKey("http")
        .containsEntry("dns-tcp", 8600)
        .containsEntry("dns-udp", 8600);
    assertThat(clientSvc.getSpec().getPorts())
        .filteredOn(p -> p.getName().startsWith("dns"))
        .allSatisfy(p -> assertThat(p.getTargetPort().getIntVal()).isEqualTo(8600));
    Service ui = client.services().inNamespace(ns).withName("consul-ui").get();
    assertThat(ui.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(ports(ui)).containsEntry("https", 443);
    PodDisruptionBudget pdb =
        client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("consul-server").get();
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(selector);

    Secret gossip = client.secrets().inNamespace(ns).withName("consul-gossip").get();
    String key = ConsulClusterResources.secretValue(gossip, "key");
    assertThat(Base64.getDecoder().decode(key)).hasSize(32);
    assertThat(gossip.getMetadata().getOwnerReferences()).isNotEmpty();
    Secret tls = client.secrets().inNamespace(ns).withName("consul-tls").get();
    assertThat(tls.getData()).containsOnlyKeys(ClusterCertificates.KEYS);
    assertThat(tls.getMetadata().getOwnerReferences()).isNotEmpty();
    assertThat(client.apps().daemonSets().inNamespace(ns).withName("consul-agent").get()).isNull();

    eventually(
        () -> {
          var status = get(ns, "consul").getStatus();
          assertThat(status).isNotNull();
          assertThat(status.getServers()).isEqualTo(3);
          assertThat(status.getReadyServers()).isZero();
          assertThat(
                  Conditions.find(status.getConditions(), Conditions.READY)
                      .orElseThrow()
                      .getReason())
              .isEqualTo("ServersNotReady");
          assertThat(Conditions.isTrue(status.getConditions(), Conditions.INVALID)).isFalse();
        });

    // Ready servers come from the StatefulSet; with no Consul answering there is no leader yet.
    client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName("consul-server")
        .editStatus(
            s -> {
              s.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatus());
              s.getStatus().setReplicas(3);
              s.getStatus().setReadyReplicas(3);
              return s;
            });
    eventually(
        () -> {
          var status = get(ns, "consul").getStatus();
          assertThat(status.getReadyServers()).isEqualTo(3);
          assertThat(
                  Conditions.find(status.getConditions(), Conditions.READY)
                      .orElseThrow()
                      .getReason())
              .isEqualTo("NoLeader");
        });
    ConsulEndpoints endpoints = new ConsulEndpoints(client);
    assertThat(endpoints.resolve(ns, "consul")).isEmpty();
    assertThat(endpoints.whyNotReady(ns, "consul")).contains("no ready server");
    assertThat(endpoints.whyNotReady(ns, "nope")).contains("does not exist");
  }

  @Test
  void theGeneratedGossipKeyIsKeptAndAUserSecretIsOnlyRead() throws Exception {
    String ns = "gossip";
    create(consulCluster(ns, "consul", spec -> {}));
    Secret generated =
        awaitObject(() -> client.secrets().inNamespace(ns).withName("consul-gossip").get());
    awaitObject(() -> statefulSet(ns, "consul-server"));
    edit(ns, "consul", spec -> spec.setImage("hashicorp/consul:1.8.8"));
    eventually(
        () ->
            assertThat(consulContainer(statefulSet(ns, "consul-server")).getImage())
                .isEqualTo("hashicorp/consul:1.8.8"));
    Secret after = client.secrets().inNamespace(ns).withName("consul-gossip").get();
    assertThat(after.getData()).isEqualTo(generated.getData());
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(generated.getMetadata().getResourceVersion());

    // A user's Secret: waited for, then referenced as is, never written.
    create(
        consulCluster(
            ns,
            "mine",
            spec -> {
              var g = new ConsulClusterSpec.GossipEncryption();
              g.setSecretName("my-gossip");
              g.setSecretKey("gossip.key");
              spec.setGossipEncryption(g);
            }));
    eventually(
        () -> {
          var ready =
              Conditions.find(get(ns, "mine").getStatus().getConditions(), Conditions.READY)
                  .orElseThrow();
          assertThat(ready.getReason()).isEqualTo("SecretMissing");
          assertThat(ready.getMessage()).contains("my-gossip");
        });
    assertThat(statefulSet(ns, "mine-server")).as("no pods that could not start").isNull();
    String userKey = ConsulClusterResources.newGossipKey();
    Secret user =
        client
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("my-gossip")
                    .withNamespace(ns)
                    .endMetadata()
                    .addToData("gossip.key", Base64.getEncoder().encodeToString(userKey.getBytes()))
                    .build())
            .create();
    StatefulSet sts = awaitObject(() -> statefulSet(ns, "mine-server"));
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactlyInAnyOrder("mine-tls", "mine-gossip-config");
    assertThat(JSON.readTree(gossipConfig(ns, "mine")))
        .isEqualTo(JSON.createObjectNode().put("encrypt", userKey));
    Secret userAfter = client.secrets().inNamespace(ns).withName("my-gossip").get();
    assertThat(userAfter.getMetadata().getResourceVersion())
        .isEqualTo(user.getMetadata().getResourceVersion());
    assertThat(userAfter.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(client.secrets().inNamespace(ns).withName("mine-gossip").get()).isNull();

    // Gossip encryption off: no key argument, no Secret.
    create(
        consulCluster(
            ns,
            "plain",
            spec -> {
              var g = new ConsulClusterSpec.GossipEncryption();
              g.setEnabled(false);
              spec.setGossipEncryption(g);
            }));
    StatefulSet plain = awaitObject(() -> statefulSet(ns, "plain-server"));
    assertThat(consulContainer(plain).getArgs())
        .noneMatch(a -> a.startsWith("-encrypt") || a.startsWith("-config-file"));
    assertThat(client.secrets().inNamespace(ns).withName("plain-gossip").get()).isNull();
    assertThat(client.secrets().inNamespace(ns).withName("plain-gossip-config").get()).isNull();
  }

  @Test
  void imageChangeRollsTheServersAndServersScaleFromThreeToFive() throws Exception {
    String ns = "updates";
    create(consulCluster(ns, "consul", spec -> {}));
    StatefulSet before = awaitObject(() -> statefulSet(ns, "consul-server"));
    String hashBefore =
        before
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(ConsulClusterResources.CONFIG_HASH);

    edit(ns, "consul", spec -> spec.setImage("hashicorp/consul:1.8.8"));
    eventually(
        () ->
            assertThat(consulContainer(statefulSet(ns, "consul-server")).getImage())
                .isEqualTo("hashicorp/consul:1.8.8"));
    StatefulSet rolled = statefulSet(ns, "consul-server");
    assertThat(rolled.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(
            rolled
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ServerRoller.REVISION))
        .as("an image change is a new revision")
        .isNotEqualTo(
            before
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ServerRoller.REVISION));
    assertThat(rolled.getSpec().getReplicas()).isEqualTo(3);

    edit(ns, "consul", spec -> spec.setServers(5));
    eventually(
        () -> assertThat(statefulSet(ns, "consul-server").getSpec().getReplicas()).isEqualTo(5));
    JsonNode server = config(ns, "consul-config", "server.json");
    assertThat(server.get("bootstrap_expect").asInt()).isEqualTo(5);
    assertThat(server.get("retry_join")).hasSize(5);
    assertThat(
            statefulSet(ns, "consul-server")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ConsulClusterResources.CONFIG_HASH))
        .as("scaling does not restart the running servers")
        .isEqualTo(hashBefore);
    assertThat(
            statefulSet(ns, "consul-server")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ServerRoller.REVISION))
        .as("nor is scaling a new revision")
        .isEqualTo(
            rolled
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(ServerRoller.REVISION));
    // A configuration change that matters to running agents rolls them.
    edit(
        ns,
        "consul",
        spec -> {
          var ui = new ConsulClusterSpec.Ui();
          ui.setEnabled(false);
          spec.setUi(ui);
        });
    eventually(
        () ->
            assertThat(
                    statefulSet(ns, "consul-server")
                        .getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getAnnotations()
                        .get(ConsulClusterResources.CONFIG_HASH))
                .isNotEqualTo(hashBefore));
    eventually(() -> assertThat(get(ns, "consul").getStatus().getServers()).isEqualTo(5));
    // The data volumes are immutable in a StatefulSet: a new size applies to new clusters only.
    edit(
        ns,
        "consul",
        spec -> {
          var storage = new ConsulClusterSpec.Storage();
          storage.setSize("5Gi");
          spec.setStorage(storage);
        });
    eventually(
        () ->
            assertThat(get(ns, "consul").getStatus().getObservedGeneration())
                .isEqualTo(get(ns, "consul").getMetadata().getGeneration()));
    assertThat(
            statefulSet(ns, "consul-server")
                .getSpec()
                .getVolumeClaimTemplates()
                .get(0)
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage")
                .toString())
        .isEqualTo("1Gi");
  }

  @Test
  void invalidSpecsAreReportedByFieldAndChangeNothing() {
    String ns = "invalid";
    create(consulCluster(ns, "even", spec -> spec.setServers(4)));
    create(consulCluster(ns, "big", spec -> spec.setServers(9)));
    create(
        consulCluster(
            ns,
            "disk",
            spec -> {
              var storage = new ConsulClusterSpec.Storage();
              storage.setSize("lots");
              spec.setStorage(storage);
            }));
    create(
        consulCluster(
            ns,
            "tls",
            spec -> {
              var tls = new ConsulClusterSpec.Tls();
              tls.setSecretName("My_Certs");
              spec.setTls(tls);
            }));
    create(consulCluster(ns, "ok", spec -> spec.setServers(1)));
    for (var expected :
        Map.of(
                "even",
                "spec.servers",
                "big",
                "spec.servers",
                "disk",
                "spec.storage.size",
                "tls",
                "spec.tls.secretName 'My_Certs'")
            .entrySet()) {
      eventually(
          () -> {
            var status = get(ns, expected.getKey()).getStatus();
            assertThat(status).isNotNull();
            var invalid = Conditions.find(status.getConditions(), Conditions.INVALID).orElseThrow();
            assertThat(invalid.getStatus()).isEqualTo("True");
            assertThat(invalid.getMessage()).contains(expected.getValue());
            assertThat(Conditions.isTrue(status.getConditions(), Conditions.READY)).isFalse();
          });
      assertThat(statefulSet(ns, expected.getKey() + "-server")).isNull();
      assertThat(client.configMaps().inNamespace(ns).withName(expected.getKey() + "-config").get())
          .isNull();
    }
    // Other clusters keep working.
    assertThat(awaitObject(() -> statefulSet(ns, "ok-server")).getSpec().getReplicas())
        .isEqualTo(1);

    // A running cluster whose spec turns invalid keeps what it has.
    edit(ns, "ok", spec -> spec.setServers(2));
    eventually(
        () ->
            assertThat(
                    Conditions.isTrue(
                        get(ns, "ok").getStatus().getConditions(), Conditions.INVALID))
                .isTrue());
    assertThat(statefulSet(ns, "ok-server").getSpec().getReplicas()).isEqualTo(1);
    edit(ns, "ok", spec -> spec.setServers(3));
    eventually(() -> assertThat(statefulSet(ns, "ok-server").getSpec().getReplicas()).isEqualTo(3));
    eventually(
        () ->
            assertThat(
                    Conditions.isTrue(
                        get(ns, "ok").getStatus().getConditions(), Conditions.INVALID))
                .isFalse());
  }

  @Test
  void agentsRunAsADaemonSetServingEachNodesPodsThroughANodeLocalService() throws Exception {
    String ns = "agents";
    create(
        consulCluster(
            ns,
            "consul",
            spec -> {
              var agents = new ConsulClusterSpec.Agents();
              agents.setEnabled(true);
              agents.setResources(
                  new ResourceRequirementsBuilder()
                      .addToRequests("cpu", new Quantity("20m"))
                      .addToLimits("memory", new Quantity("100Mi"))
                      .build());
              spec.setAgents(agents);
            }));
    DaemonSet ds =
        awaitObject(
            () -> client.apps().daemonSets().inNamespace(ns).withName("consul-agent").get());
    Container c = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getResources().getRequests()).containsOnly(Map.entry("cpu", new Quantity("20m")));
    assertThat(c.getResources().getLimits())
        .containsOnly(Map.entry("memory", new Quantity("100Mi")));
    assertThat(c.getArgs())
        .containsExactly(
            "agent",
            "-config-dir=/consul/config",
            "-node=$(NODE_NAME)",
            "-advertise=$(POD_IP)",
            "-config-file=/consul/gossip/gossip.json");
    // No host ports (Pod Security refuses them at baseline): a node-local Service instead.
    assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(
            ds.getSpec().getTemplate().getSpec().getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    Service agentService =
        awaitObject(() -> client.services().inNamespace(ns).withName("consul-agent").get());
    assertThat(agentService.getSpec().getInternalTrafficPolicy()).isEqualTo("Local");
    assertThat(agentService.getSpec().getSelector())
        .isEqualTo(ds.getSpec().getSelector().getMatchLabels());
    assertThat(ports(agentService))
        .containsEntry("https", 8501)
        .containsEntry("dns-tcp", 8600)
        .containsEntry("dns-udp", 8600);
    assertThat(ds.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getConfigMap().getName()).isEqualTo("consul-config");
              assertThat(v.getConfigMap().getItems())
                  .singleElement()
                  .satisfies(i -> assertThat(i.getKey()).isEqualTo("client.json"));
            });
    JsonNode agent = config(ns, "consul-config", "client.json");
    assertThat(agent.get("server").asBoolean()).isFalse();
    assertThat(agent.has("bootstrap_expect")).isFalse();
    assertThat(agent.get("retry_join"))
        .extracting(JsonNode::asText)
        .contains("consul-server-0.consul-server.agents.svc");

    edit(ns, "consul", spec -> spec.getAgents().setEnabled(false));
    eventually(
        () ->
            assertThat(client.apps().daemonSets().inNamespace(ns).withName("consul-agent").get())
                .isNull());
    eventually(
        () ->
            assertThat(client.services().inNamespace(ns).withName("consul-agent").get()).isNull());
  }

  @Test
  void aclTlsAndUiSettingsShapeConfigurationAndServices() throws Exception {
    String ns = "secure";
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("consul-certs")
                .withNamespace(ns)
                .endMetadata()
                .addToData(
                    Map.of("ca.crt", b64("ca"), "tls.crt", b64("crt"), "tls.key", b64("key")))
                .build())
        .create();
    create(
        consulCluster(
            ns,
            "consul",
            spec -> {
              var acl = new ConsulClusterSpec.Acl();
              acl.setEnabled(true);
              spec.setAcl(acl);
              var tls = new ConsulClusterSpec.Tls();
              tls.setEnabled(true);
              tls.setSecretName("consul-certs");
              spec.setTls(tls);
              var ui = new ConsulClusterSpec.Ui();
              ui.setServiceType("LoadBalancer");
              spec.setUi(ui);
            }));
    StatefulSet sts = awaitObject(() -> statefulSet(ns, "consul-server"));
    JsonNode server = config(ns, "consul-config", "server.json");
    assertThat(server.at("/acl/enabled").asBoolean()).isTrue();
    assertThat(server.at("/acl/default_policy").asText()).isEqualTo("deny");
    assertThat(server.at("/acl/enable_token_persistence").asBoolean()).isTrue();
    assertThat(server.at("/ports/https").asInt()).isEqualTo(8501);
    assertThat(server.at("/addresses/http").asText()).isEqualTo("127.0.0.1");
    assertThat(server.get("cert_file").asText()).isEqualTo("/consul/tls/tls.crt");
    assertThat(server.get("verify_incoming_rpc").asBoolean()).isTrue();
    assertThat(server.get("verify_outgoing").asBoolean()).isTrue();
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(
            v ->
                assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName())
                    .isEqualTo("consul-certs"));
    assertThat(ports(client.services().inNamespace(ns).withName("consul").get()))
        .containsEntry("https", 8501)
        .doesNotContainKey("http");
    Service ui = client.services().inNamespace(ns).withName("consul-ui").get();
    assertThat(ui.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(ports(ui)).containsEntry("https", 443);

    edit(ns, "consul", spec -> spec.getUi().setEnabled(false));
    eventually(
        () -> assertThat(client.services().inNamespace(ns).withName("consul-ui").get()).isNull());
    eventually(
        () ->
            assertThat(config(ns, "consul-config", "server.json").get("ui").asBoolean()).isFalse());
    // No Consul answers in this test: ACL bootstrap waits for a leader, the token Secrets don't
    // exist yet.
    assertThat(client.secrets().inNamespace(ns).withName("consul-acl-bootstrap").get()).isNull();
    assertThat(new ConsulEndpoints(client).resolve(ns, "consul")).isEmpty();
  }

  @Test
  void anObjectOfTheSameNameThatTheClusterDoesNotOwnIsAConflictNeverAdopted() {
    String ns = "clash";
    ConfigMap theirs =
        client
            .resource(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("consul-config")
                    .withNamespace(ns)
                    .endMetadata()
                    .addToData("mine", "yes")
                    .build())
            .create();
    create(consulCluster(ns, "consul", spec -> {}));
    eventually(
        () -> {
          var ready =
              Conditions.find(get(ns, "consul").getStatus().getConditions(), Conditions.READY)
                  .orElseThrow();
          assertThat(ready.getReason()).isEqualTo("Conflict");
          assertThat(ready.getMessage()).contains("ConfigMap consul-config");
        });
    // Everything else is made; their ConfigMap is left as it was.
    awaitObject(() -> statefulSet(ns, "consul-server"));
    ConfigMap after = client.configMaps().inNamespace(ns).withName("consul-config").get();
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(theirs.getMetadata().getResourceVersion());
    assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();

    // Once it is gone, the cluster's own is created and the conflict clears.
    client.resource(after).delete();
    eventually(
        () ->
            assertThat(config(ns, "consul-config", "server.json").get("server").asBoolean())
                .isTrue());
    eventually(
        () ->
            assertThat(
                    Conditions.find(get(ns, "consul").getStatus().getConditions(), Conditions.READY)
                        .orElseThrow()
                        .getReason())
                .isEqualTo("ServersNotReady"));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes());
  }

  @SuppressWarnings("unused")
  /**
   * A reconcile that fails (the API server refuses the StatefulSet) says so in status, written as
   * every status is (a replace: the chart grants update on consulclusters/status, not patch).
   */
  @Test
  void aFailedReconcileIsReadyFalseReconcileFailed() {
    String ns = "failing";
    running
        .cluster()
        .server()
        .expect()
        .post()
        .withPath("/apis/apps/v1/namespaces/" + ns + "/statefulsets")
        .andReturn(500, "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"disk full\"}")
        .always();
    // As the chart's RBAC does (update on consulclusters/status, no patch): the mock allows both.
    running
        .cluster()
        .server()
        .expect()
        .patch()
        .withPath("/apis/bellhop.dev/v1alpha1/namespaces/" + ns + "/consulclusters/consul/status")
        .andReturn(403, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Forbidden\"}")
        .always();
    create(consulCluster(ns, "consul", spec -> {}));
    eventually(
        () ->
            assertThat(
                    Conditions.find(get(ns, "consul").getStatus().getConditions(), Conditions.READY)
                        .orElseThrow())
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"))
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("ReconcileFailed")));
  }

  private static List<String> names(
      List<? extends io.fabric8.kubernetes.api.model.HasMetadata> items) {
    return items.stream().map(i -> i.getMetadata().getName()).toList();
  }

  /** The gossip configuration file Bellhop made for a cluster's pods, once it exists. */
  private String gossipConfig(String ns, String cluster) {
    return ConsulClusterResources.secretValue(
        awaitObject(
            () -> client.secrets().inNamespace(ns).withName(cluster + "-gossip-config").get()),
        "gossip.json");
  }
}
