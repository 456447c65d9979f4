package dev.bellhop.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.consulcluster.ConsulPods;
import dev.bellhop.operator.hotelservice.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's NetworkPolicies (issue #16) judged as a CNI judges them, flow by flow: every
 * connection the system makes is allowed, and the ones the issue names are refused. The local
 * cluster stores policies but cannot enforce them (its pods share the host's network), so this is
 * where their meaning is tested. The pods' labels are the operator's own ({@link ConsulPods},
 * {@link Labels}) and the chart's Deployments'.
 */
class NetworkPolicyFlowsTest {
  private static final String NS = "bellhop";

  record Pod(String namespace, Map<String, String> labels) {}

  private static final List<HasMetadata> CHART = Charts.objects(Charts.template(Map.of()));

  private static final Pod SERVER = consul("server");
  private static final Pod AGENT = consul("agent");
  private static final Pod SNAPSHOT_JOB = consul("snapshot");
  private static final Pod OPERATOR = chartPod("bellhop-operator");
  private static final Pod GATEWAY = chartPod("bellhop-gateway");
  private static final Pod HOTEL = hotelService("hotel");
  private static final Pod GEO = hotelService("geo");
  private static final Pod AUTH = hotelService("auth");
  private static final Pod STRANGER = new Pod(NS, Map.of("app", "something-else"));
  private static final Pod ELSEWHERE = new Pod("other", Map.of("app", "monitoring"));

  @Test
  void everyFlowTheSystemMakesIsAllowed() {
    assertThat(allowed(OPERATOR, SERVER, 8501, "TCP")).as("operator → Consul API").isTrue();
    assertThat(allowed(OPERATOR, AGENT, 8501, "TCP")).as("operator → agent (its token)").isTrue();
    assertThat(allowed(GATEWAY, SERVER, 8501, "TCP")).as("gateway → Consul API").isTrue();
    assertThat(allowed(SNAPSHOT_JOB, SERVER, 8501, "TCP")).as("snapshot Job → API").isTrue();
    assertThat(allowed(AGENT, SERVER, 8300, "TCP")).as("agent → server RPC").isTrue();
    assertThat(allowed(SERVER, SERVER, 8300, "TCP")).as("raft").isTrue();
    assertThat(allowed(SERVER, AGENT, 8301, "UDP")).as("gossip").isTrue();
    assertThat(allowed(HOTEL, AGENT, 8600, "UDP")).as("hotel → its node's agent DNS").isTrue();
    assertThat(allowed(GEO, SERVER, 8600, "TCP")).as("DNS over TCP").isTrue();
    assertThat(allowed(GATEWAY, HOTEL, 8085, "TCP")).as("gateway → hotel").isTrue();
    assertThat(allowed(GATEWAY, AUTH, 8081, "TCP")).as("gateway → auth").isTrue();
    assertThat(allowed(HOTEL, GEO, 8082, "TCP")).as("hotel → geo").isTrue();
    assertThat(allowed(HOTEL, AUTH, 8081, "TCP")).as("hotel → auth").isTrue();
    assertThat(allowed(STRANGER, OPERATOR, 8080, "TCP")).as("metrics from the namespace").isTrue();
    assertThat(allowed(ELSEWHERE, GATEWAY, 8080, "TCP")).as("the Ingress → gateway").isTrue();
  }

  @Test
  void whatTheIssueNamesIsRefused() {
    assertThat(allowed(GEO, SERVER, 8501, "TCP")).as("a hotel service → Consul API").isFalse();
    assertThat(allowed(STRANGER, AGENT, 8501, "TCP")).as("any pod → an agent's API").isFalse();
    assertThat(allowed(STRANGER, SERVER, 8300, "TCP")).as("any pod → server RPC").isFalse();
    assertThat(allowed(ELSEWHERE, SERVER, 8600, "UDP")).as("another namespace → DNS").isFalse();
    assertThat(allowed(STRANGER, GEO, 8082, "TCP")).as("any pod → geo").isFalse();
    assertThat(allowed(AUTH, GEO, 8082, "TCP")).as("auth → geo").isFalse();
    assertThat(allowed(ELSEWHERE, AUTH, 8081, "TCP")).as("around the gateway").isFalse();
    assertThat(allowed(ELSEWHERE, OPERATOR, 8080, "TCP")).as("metrics from elsewhere").isFalse();
  }

  @Test
  void metricsFromNamesWhoMayScrape() {
    List<HasMetadata> chart =
        Charts.objects(
            Charts.template(
                Map.of(
                    "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team",
                    "monitoring")));
    Pod prometheus = new Pod("other", Map.of("app", "prometheus"));
    assertThat(allowed(chart, prometheus, OPERATOR, 8080, "TCP")).isTrue();
    assertThat(allowed(chart, STRANGER, OPERATOR, 8080, "TCP")).isFalse();
  }

  @Test
  void offRendersNone() {
    assertThat(
            Charts.ofType(
                Charts.objects(Charts.template(Map.of("networkPolicy.enabled", "false"))),
                NetworkPolicy.class))
        .isEmpty();
  }

  // ------------------------------------------------------------------ NetworkPolicy semantics

  private static boolean allowed(Pod from, Pod to, int port, String protocol) {
    return allowed(CHART, from, to, port, protocol);
  }

  /**
   * Ingress as the NetworkPolicy API defines it: a pod no policy selects takes everything; a
   * selected pod takes what some rule of some selecting policy allows (peers, then ports).
   */
  private static boolean allowed(
      List<HasMetadata> chart, Pod from, Pod to, int port, String protocol) {
    List<NetworkPolicy> selecting =
        Charts.ofType(chart, NetworkPolicy.class).stream()
            .filter(p -> p.getMetadata().getNamespace().equals(to.namespace()))
            .filter(p -> matches(p.getSpec().getPodSelector(), to.labels()))
            .filter(p -> p.getSpec().getPolicyTypes().contains("Ingress"))
            .toList();
    if (selecting.isEmpty()) {
      return true;
    }
    return selecting.stream()
        .flatMap(p -> p.getSpec().getIngress().stream())
        .anyMatch(
            rule ->
                (rule.getFrom().isEmpty()
                        || rule.getFrom().stream().anyMatch(peer -> matches(peer, from, to)))
                    && (rule.getPorts().isEmpty()
                        || rule.getPorts().stream().anyMatch(p -> matches(p, port, protocol))));
  }

  private static boolean matches(NetworkPolicyPeer peer, Pod from, Pod to) {
    boolean namespace =
        peer.getNamespaceSelector() == null
            ? from.namespace().equals(to.namespace())
            : matches(peer.getNamespaceSelector(), namespaceLabels(from.namespace()));
    return namespace
        && (peer.getPodSelector() == null || matches(peer.getPodSelector(), from.labels()));
  }

  private static Map<String, String> namespaceLabels(String namespace) {
    return namespace.equals("other")
        ? Map.of("kubernetes.io/metadata.name", namespace, "team", "monitoring")
        : Map.of("kubernetes.io/metadata.name", namespace);
  }

  private static boolean matches(NetworkPolicyPort p, int port, String protocol) {
    String wanted = p.getProtocol() == null ? "TCP" : p.getProtocol();
    return wanted.equals(protocol) && (p.getPort() == null || p.getPort().getIntVal() == port);
  }

  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    for (var r : selector.getMatchExpressions()) {
      boolean ok =
          switch (r.getOperator()) {
            case "Exists" -> labels.containsKey(r.getKey());
            case "DoesNotExist" -> !labels.containsKey(r.getKey());
            case "In" -> r.getValues().contains(labels.get(r.getKey()));
            case "NotIn" -> !r.getValues().contains(labels.get(r.getKey()));
            default -> throw new AssertionError(r.getOperator());
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ the pods

  /** As the chart's Deployment template labels them. */
  private static Pod chartPod(String deployment) {
    return new Pod(
        NS,
        ChartTest.deployment(CHART, deployment).getSpec().getTemplate().getMetadata().getLabels());
  }

  /** As the operator labels a ConsulCluster's pods and Jobs. */
  private static Pod consul(String component) {
    return new Pod(NS, ConsulPods.labels("consul", component));
  }

  /** As the operator labels a HotelService's pods. */
  private static Pod hotelService(String name) {
    return new Pod(NS, Labels.of(name));
  }
}
