package dev.bellhop.operator.hotelservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.registration.Registration;
import dev.bellhop.operator.testing.Kube;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The pod cache keeps only {@link SlimPodStore#FIELDS}; every rule that reads pods decides the same
 * on a slim pod as on the full one. A rule that starts reading a field the cache drops fails here.
 */
class SlimPodStoreTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A pod as the API server serves it, every field a kubelet and a controller fill in. */
  private static Pod full(UnaryOperator<PodBuilder> edit) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("geo-1")
            .withNamespace("a")
            .withUid("uid-1")
            .withResourceVersion("42")
            .withGeneration(1L)
            .withCreationTimestamp("2026-12-04T10:00:00Z")
            .withLabels(Map.of("app", "geo", "pod-template-hash", "abc"))
            .withAnnotations(Map.of("prometheus.io/scrape", "true"))
            .withFinalizers("x/y")
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName("geo-abc")
            .withUid("rs-1")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-1")
            .withServiceAccountName("default")
            .addNewContainer()
            .withName("geo")
            .withImage("bellhop/geo:1")
            .addNewPort()
            .withName("http")
            .withContainerPort(8082)
            .endPort()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("10.0.0.7")
            .addNewPodIP("10.0.0.7")
            .withHostIP("192.168.0.9")
            .addNewHostIP("192.168.0.9")
            .withStartTime("2026-12-04T10:00:01Z")
            .withQosClass("Burstable")
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("True")
            .endCondition()
            .addNewCondition()
            .withType("ContainersReady")
            .withStatus("True")
            .endCondition()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withLastTransitionTime("2026-12-04T10:00:05Z")
            .endCondition()
            .addNewContainerStatus()
            .withName("geo")
            .withReady(true)
            .withRestartCount(0)
            .endContainerStatus()
            .endStatus();
    return edit.apply(pod).build();
  }

  private static final Map<String, UnaryOperator<PodBuilder>> STATES =
      Map.of(
          "ready", p -> p,
          "unready",
              p ->
                  p.editStatus()
                      .editMatchingCondition(c -> "Ready".equals(c.getType()))
                      .withStatus("False")
                      .endCondition()
                      .endStatus(),
          "terminating",
              p -> p.editMetadata().withDeletionTimestamp("2026-12-04T11:00:00Z").endMetadata(),
          "succeeded", p -> p.editStatus().withPhase("Succeeded").endStatus(),
          "no IP yet", p -> p.editStatus().withPodIP(null).withPodIPs().endStatus(),
          "not scheduled", p -> p.editSpec().withNodeName(null).endSpec(),
          "other labels", p -> p.editMetadata().withLabels(Map.of("app", "rate")).endMetadata());

  @Test
  void slimKeepsExactlyTheDeclaredFields() {
    // Terminating, so that every kept field has a value; apiVersion and kind are the type's own.
    assertThat(paths(MAPPER.valueToTree(SlimPodStore.slim(full(STATES.get("terminating"))))))
        .isEqualTo(new TreeSet<>(SlimPodStore.FIELDS));
  }

  @Test
  void everyRuleDecidesTheSameOnASlimPod() {
    HotelService geo = Kube.hotelService("a", "geo", 8082, Map.of("app", "geo"));
    RegistrationPlanner planner = new RegistrationPlanner("c");
    var mapper =
        new PodToHotelServiceMapper(
            key -> Labels.indexKeys(geo).contains(key) ? List.of(geo) : List.of());
    STATES.forEach(
        (state, edit) -> {
          Pod full = full(edit);
          Pod slim = SlimPodStore.slim(JSON.clone(full));
          // Registered before, so that an unready pod's registration (critical) is planned too.
          Map<String, Registration> registered = new HashMap<>();
          planner
              .desired(geo, List.of(full(p -> p)), Map.of())
              .forEach(r -> registered.put(r.id(), r));
          assertThat(planner.desired(geo, List.of(slim), registered))
              .as(state)
              .isEqualTo(planner.desired(geo, List.of(full), registered));
          assertThat(RegistrationPlanner.isLive(slim))
              .as(state)
              .isEqualTo(RegistrationPlanner.isLive(full));
          assertThat(Readiness.isPodReady(slim)).as(state).isEqualTo(Readiness.isPodReady(full));
          assertThat(mapper.toPrimaryResourceIDs(slim))
              .as(state)
              .isEqualTo(mapper.toPrimaryResourceIDs(full));
        });
  }

  /** JSON paths of the leaves; a map of labels is one leaf, a condition is named by its type. */
  private static Set<String> paths(JsonNode pod) {
    Set<String> out = new TreeSet<>();
    walk("", pod, out);
    return out;
  }

  private static void walk(String path, JsonNode node, Set<String> out) {
    if (path.equals("apiVersion") || path.equals("kind")) {
      return;
    }
    if (path.equals("metadata.labels") || !node.isContainerNode()) {
      out.add(path);
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        walk(path + "[" + element.path("type").asText() + "]", element, out);
      }
    } else {
      node.fields()
          .forEachRemaining(
              e -> walk(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out));
    }
  }
}
