package dev.bellhop.localcluster.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.Discovery;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenApiV3Test {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final OpenApiV3 openApi = new OpenApiV3("v1.34.0");
  private final List<Discovery.Resource> resources =
      List.of(
          new Discovery.Resource(
              "v1", "namespaces", "Namespace", false, true, null, List.of("ns"), List.of()),
          new Discovery.Resource(
              "apps/v1",
              "deployments",
              "Deployment",
              true,
              true,
              null,
              List.of("deploy"),
              List.of("all")),
          new Discovery.Resource(
              "bellhop.dev/v1alpha1",
              "hotelservices",
              "HotelService",
              true,
              true,
              null,
              List.of("hs"),
              List.of()));

  private List<JsonNode> crds() throws Exception {
    return List.of(
        JSON.readTree(
            """
        {"spec":{"group":"bellhop.dev","names":{"kind":"HotelService","plural":"hotelservices"},
         "versions":[{"name":"v1alpha1","schema":{"openAPIV3Schema":{"type":"object",
           "properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}}}]}}
        """));
  }

  /**
   * What kubectl's QueryParamVerifierV3 looks for: a PATCH of the kind that takes fieldValidation.
   */
  private static boolean patchTakesFieldValidation(
      JsonNode doc, String group, String version, String kind) {
    for (JsonNode path : doc.path("paths")) {
      JsonNode patch = path.path("patch");
      JsonNode gvk = patch.path("x-kubernetes-group-version-kind");
      if (gvk.path("group").asText().equals(group)
          && gvk.path("version").asText().equals(version)
          && gvk.path("kind").asText().equals(kind)) {
        for (JsonNode p : patch.path("parameters")) {
          if (p.path("name").asText().equals("fieldValidation")
              && p.path("in").asText().equals("query")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Test
  void theRootListsEachGroupVersionWithAHashedUrl() throws Exception {
    JsonNode root = openApi.root(resources, crds());
    List<String> paths = new ArrayList<>();
    root.path("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).containsExactly("api/v1", "apis/apps/v1", "apis/bellhop.dev/v1alpha1");
    assertThat(root.path("paths").path("apis/apps/v1").path("serverRelativeURL").asText())
        .matches("/openapi/v3/apis/apps/v1\\?hash=[0-9A-F]{128}");
  }

  @Test
  void everyKindsPatchTakesFieldValidationSoKubectlLeavesValidationToTheServer() throws Exception {
    assertThat(
            patchTakesFieldValidation(
                openApi.document("/openapi/v3/api/v1", resources, crds()).orElseThrow(),
                "",
                "v1",
                "Namespace"))
        .isTrue();
    JsonNode apps = openApi.document("/openapi/v3/apis/apps/v1", resources, crds()).orElseThrow();
    assertThat(patchTakesFieldValidation(apps, "apps", "v1", "Deployment")).isTrue();
    assertThat(
            apps.path("paths")
                .path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
                .path("patch")
                .path("requestBody")
                .path("content")
                .has("application/strategic-merge-patch+json"))
        .isTrue();
    JsonNode bellhop =
        openApi.document("apis/bellhop.dev/v1alpha1", resources, crds()).orElseThrow();
    assertThat(patchTakesFieldValidation(bellhop, "bellhop.dev", "v1alpha1", "HotelService"))
        .isTrue();
    assertThat(openApi.document("apis/nothing/v1", resources, crds())).isEmpty();
  }

  @Test
  void customResourcesCarryTheirCrdsSchemaAndNoStrategicMergePatch() throws Exception {
    JsonNode doc = openApi.document("apis/bellhop.dev/v1alpha1", resources, crds()).orElseThrow();
    JsonNode schema =
        doc.path("components").path("schemas").path("dev.bellhop.v1alpha1.HotelService");
    assertThat(schema.path("properties").path("spec").path("properties").has("replicas")).isTrue();
    assertThat(schema.path("properties").has("metadata")).isTrue();
    assertThat(schema.path("x-kubernetes-group-version-kind").get(0).path("kind").asText())
        .isEqualTo("HotelService");
    JsonNode patch =
        doc.path("paths")
            .path("/apis/bellhop.dev/v1alpha1/namespaces/{namespace}/hotelservices/{name}")
            .path("patch");
    assertThat(patch.path("requestBody").path("content").has("application/merge-patch+json"))
        .isTrue();
    assertThat(
            patch.path("requestBody").path("content").has("application/strategic-merge-patch+json"))
        .isFalse();
    assertThat(
            doc.path("paths")
                .has(
                    "/apis/bellhop.dev/v1alpha1/namespaces/{namespace}/hotelservices/{name}/status"))
        .isTrue();
  }
}
