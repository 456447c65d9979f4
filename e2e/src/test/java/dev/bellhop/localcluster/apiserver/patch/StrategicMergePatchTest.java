package dev.bellhop.localcluster.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The patches kubectl (apply, edit, scale, rollout restart) and Helm 3's upgrade send, applied as
 * kube does.
 */
class StrategicMergePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String DEPLOYMENT =
      """
      {"apiVersion":"apps/v1","kind":"Deployment",
       "metadata":{"name":"web","labels":{"app":"web","tier":"front"},"finalizers":["a","b"]},
       "spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{
         "containers":[
          {"name":"main","image":"web:1","ports":[{"containerPort":80,"name":"http"},{"containerPort":9090}],
           "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
           "volumeMounts":[{"name":"data","mountPath":"/data"}]},
          {"name":"side","image":"envoy:1"}],
         "volumes":[{"name":"data","emptyDir":{}}],
         "tolerations":[{"key":"x","operator":"Exists"}]}}}}
      """;

  private static JsonNode patch(String target, String patch) throws Exception {
    return StrategicMergePatch.apply(
        (ObjectNode) JSON.readTree(target), (ObjectNode) JSON.readTree(patch));
  }

  @Test
  void mergesContainersByNameAndTheirListsByTheirKeys() throws Exception {
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"template":{"spec":{"containers":[{"name":"main","image":"web:2",
          "ports":[{"containerPort":8080}],"env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}}}
        """);
    JsonNode main = result.at("/spec/template/spec/containers/0");
    assertThat(main.get("image").asText()).isEqualTo("web:2");
    assertThat(main.get("ports"))
        .extracting(p -> p.get("containerPort").asInt())
        .containsExactly(80, 9090, 8080);
    assertThat(main.get("env"))
        .extracting(e -> e.get("name").asText() + "=" + e.get("value").asText())
        .containsExactly("A=1", "B=3", "C=4");
    assertThat(result.at("/spec/template/spec/containers/1/name").asText()).isEqualTo("side");
  }

  @Test
  void replacesListsWithoutAStrategy() throws Exception {
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"template":{"spec":{"tolerations":[{"key":"y","operator":"Exists"}]}}}}
        """);
    assertThat(result.at("/spec/template/spec/tolerations")).hasSize(1);
    assertThat(result.at("/spec/template/spec/tolerations/0/key").asText()).isEqualTo("y");
  }

  @Test
  void kubectlApplyRemovingAContainerAndAnEnvVariable() throws Exception {
    // kubectl apply's three-way patch after "side" and env B left the manifest.
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"template":{"spec":{
          "$setElementOrder/containers":[{"name":"main"}],
          "containers":[{"name":"main","$setElementOrder/env":[{"name":"A"}],
            "env":[{"name":"B","$patch":"delete"}]},{"name":"side","$patch":"delete"}]}}}}
        """);
    JsonNode containers = result.at("/spec/template/spec/containers");
    assertThat(containers).hasSize(1);
    assertThat(containers.get(0).get("env"))
        .extracting(e -> e.get("name").asText())
        .containsExactly("A");
  }

  @Test
  void setElementOrderReordersMergedLists() throws Exception {
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"main"}]}}}}
        """);
    assertThat(result.at("/spec/template/spec/containers"))
        .extracting(c -> c.get("name").asText())
        .containsExactly("side", "main");
  }

  @Test
  void nullRemovesAField() throws Exception {
    JsonNode result =
        patch(DEPLOYMENT, "{\"metadata\":{\"labels\":{\"tier\":null}},\"spec\":{\"replicas\":3}}");
    assertThat(result.at("/metadata/labels").has("tier")).isFalse();
    assertThat(result.at("/metadata/labels/app").asText()).isEqualTo("web");
    assertThat(result.at("/spec/replicas").asInt()).isEqualTo(3);
  }

  @Test
  void retainKeysClearsTheOtherMembersOfAUnion() throws Exception {
    // kubectl apply switching the strategy to Recreate.
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}
        """);
    assertThat(result.at("/spec/strategy").toString()).isEqualTo("{\"type\":\"Recreate\"}");
  }

  @Test
  void patchReplaceAndDeleteInMaps() throws Exception {
    JsonNode replaced =
        patch(DEPLOYMENT, "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"only\":\"this\"}}}");
    assertThat(replaced.at("/metadata/labels").toString()).isEqualTo("{\"only\":\"this\"}");
    JsonNode deleted = patch(DEPLOYMENT, "{\"spec\":{\"strategy\":{\"$patch\":\"delete\"}}}");
    assertThat(deleted.at("/spec").has("strategy")).isFalse();
  }

  @Test
  void patchReplaceAsAListElementReplacesTheList() throws Exception {
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x:1"}]}}}}
        """);
    assertThat(result.at("/spec/template/spec/containers"))
        .extracting(c -> c.get("name").asText())
        .containsExactly("only");
  }

  @Test
  void finalizersMergeAsASetAndDeleteFromPrimitiveList() throws Exception {
    JsonNode added = patch(DEPLOYMENT, "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}");
    assertThat(added.at("/metadata/finalizers"))
        .extracting(JsonNode::asText)
        .containsExactly("a", "b", "c");
    JsonNode removed =
        patch(DEPLOYMENT, "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\"]}}");
    assertThat(removed.at("/metadata/finalizers"))
        .extracting(JsonNode::asText)
        .containsExactly("b");
  }

  @Test
  void rolloutRestartAddsATemplateAnnotation() throws Exception {
    JsonNode result =
        patch(
            DEPLOYMENT,
            """
        {"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-12-04T18:00:00Z"}}}}}
        """);
    assertThat(result.at("/spec/template/metadata/annotations").size()).isEqualTo(1);
    assertThat(result.at("/spec/template/metadata/labels/app").asText()).isEqualTo("web");
  }

  @Test
  void servicePortsMergeByPort() throws Exception {
    String service = "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":443}]}}";
    JsonNode result = patch(service, "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]}}");
    assertThat(result.at("/spec/ports")).hasSize(2);
    assertThat(result.at("/spec/ports/0/targetPort").asInt()).isEqualTo(9090);
  }

  @Test
  void anElementWithoutItsMergeKeyIsRefused() {
    assertThatThrownBy(
            () ->
                patch(
                    DEPLOYMENT,
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("merge key");
  }

  @Test
  void mergePatchReplacesListsAndRemovesNulls() throws Exception {
    JsonNode result =
        MergePatch.apply(
            JSON.readTree(DEPLOYMENT),
            JSON.readTree(
                "{\"metadata\":{\"labels\":{\"tier\":null}},\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}"));
    assertThat(result.at("/metadata/labels").has("tier")).isFalse();
    assertThat(result.at("/spec/template/spec/containers")).isEmpty();
    assertThat(result.at("/spec/replicas").asInt()).isEqualTo(1);
  }
}
