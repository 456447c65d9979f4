package dev.bellhop.localcluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest;
import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stages run in kube's order, and see what kube's would: who asks, and the object that would be
 * stored.
 */
class ChainTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  @Test
  void authorizationThenAdmissionInOrderOnTheComputedObject() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (ApiServer api =
        ApiServer.start(
            "127.0.0.1",
            0,
            dir.resolve("kubeconfig"),
            chain ->
                chain
                    .authorizer(
                        (user, info) ->
                            user.name().equals("system:anonymous") && info.verb().equals("delete")
                                ? Authorizer.Decision.deny("")
                                : Authorizer.Decision.allow())
                    .admit(
                        request -> {
                          seen.add("mutate " + request.operation() + " " + request.user().name());
                          if (request.operation() != AdmissionRequest.Operation.DELETE) {
                            ((com.fasterxml.jackson.databind.node.ObjectNode)
                                    request.object().get("metadata"))
                                .putObject("labels")
                                .put("mutated", "yes");
                          }
                        })
                    .admit(
                        request -> {
                          seen.add(
                              "validate "
                                  + request.object().at("/data/a").asText()
                                  + " "
                                  + request.object().at("/metadata/labels/mutated").asText());
                          if (request.object().at("/data/a").asText().equals("refused")) {
                            throw ApiError.invalid(
                                "",
                                "ConfigMap",
                                request.info().name(),
                                List.of(
                                    new ApiError.Cause(
                                        "FieldValueInvalid",
                                        "data.a",
                                        "Invalid value: \"refused\"")));
                          }
                        }))) {
      String cms = api.url() + "/api/v1/namespaces/default/configmaps";
      HttpResponse<String> created =
          send(
              api,
              "POST",
              cms,
              "application/json",
              "{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}",
              true);
      assertThat(created.statusCode()).isEqualTo(201);
      assertThat(JSON.readTree(created.body()).at("/metadata/labels/mutated").asText())
          .isEqualTo("yes");

      HttpResponse<String> refused =
          send(
              api,
              "PATCH",
              cms + "/c",
              "application/merge-patch+json",
              "{\"data\":{\"a\":\"refused\"}}",
              true);
      assertThat(refused.statusCode()).isEqualTo(422);
      JsonNode status = JSON.readTree(refused.body());
      assertThat(status.get("message").asText())
          .isEqualTo("ConfigMap \"c\" is invalid: data.a: Invalid value: \"refused\"");
      assertThat(status.at("/details/causes/0/field").asText()).isEqualTo("data.a");
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");

      HttpResponse<String> forbidden = send(api, "DELETE", cms + "/c", null, null, false);
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(JSON.readTree(forbidden.body()).get("message").asText())
          .isEqualTo(
              "configmaps \"c\" is forbidden: "
                  + "User \"system:anonymous\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"default\"");
      assertThat(send(api, "DELETE", cms + "/c", null, null, true).statusCode()).isEqualTo(200);

      assertThat(seen)
          .containsExactly(
              "mutate CREATE kubernetes-admin",
              "validate 1 yes",
              "mutate UPDATE kubernetes-admin",
              "validate refused yes",
              "mutate DELETE kubernetes-admin",
              "validate 1 yes");
      // The cluster's own client is the admin: authorization skipped, admission applied.
      api.client()
          .configMaps()
          .inNamespace("default")
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("own")
                  .endMetadata()
                  .build())
          .create();
      assertThat(seen).contains("mutate CREATE kubernetes-admin");
      assertThat(
              api.client()
                  .configMaps()
                  .inNamespace("default")
                  .withName("own")
                  .get()
                  .getMetadata()
                  .getLabels())
          .containsEntry("mutated", "yes");
    }
  }

  private static HttpResponse<String> send(
      ApiServer api, String method, String url, String type, String body, boolean admin)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (admin) {
      request.header("Authorization", "Bearer " + api.adminToken());
    }
    if (type != null) {
      request.header("Content-Type", type);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
