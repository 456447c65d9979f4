package dev.bellhop.localcluster.apiserver.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.ApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API server with the validation stage, driven over HTTP as {@code kubectl apply} drives
 * it (POST with {@code fieldValidation=Strict}, merge patches): a bad HotelService is refused with
 * 422 and its field named in the Status; a CRD applied later takes effect at once.
 */
class ApiServerValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String HOTEL_SERVICES =
      "/apis/bellhop.dev/v1alpha1/namespaces/t/hotelservices";
  private static final String KUBECTL_CREATE =
      "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict";

  @TempDir static Path dir;
  static ApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    AtomicReference<ApiServer> server = new AtomicReference<>();
    api =
        ApiServer.start(
            "127.0.0.1",
            0,
            dir.resolve("kubeconfig"),
            chain -> chain.admit(CustomResourceValidation.create(() -> server.get().client())));
    server.set(api);
    client = api.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("t").endMetadata().build())
        .create();
    Path crds = Crds.repoRoot().resolve("crds");
    try (var files = Files.list(crds)) {
      for (Path f : files.sorted().toList()) {
        client
            .resource(Serialization.unmarshal(Files.readString(f), CustomResourceDefinition.class))
            .create();
      }
    }
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  record Reply(int code, JsonNode body) {}

  static Reply send(String method, String path, String contentType, String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("Authorization", "Bearer " + api.adminToken())
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()));
  }

  static String hotelService(String name, String spec) {
    return """
        {"apiVersion":"bellhop.dev/v1alpha1","kind":"HotelService","metadata":{"name":"%s","namespace":"t"},
         "spec":%s}"""
        .formatted(name, spec);
  }

  @Test
  void aBadHotelServiceIsRefusedWith422NamingTheField() throws Exception {
    Reply reply =
        send(
            "POST",
            HOTEL_SERVICES + KUBECTL_CREATE,
            "application/json",
            hotelService("rate", "{\"image\":\"rate:1\",\"replicas\":3000000000,\"port\":8084}"));

    assertThat(reply.code()).isEqualTo(422);
    assertThat(reply.body().path("kind").asText()).isEqualTo("Status");
    assertThat(reply.body().path("reason").asText()).isEqualTo("Invalid");
    assertThat(reply.body().path("message").asText())
        .isEqualTo(
            "HotelService.bellhop.dev \"rate\" is invalid: "
                + "spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 2147483647");
    JsonNode cause = reply.body().path("details").path("causes").get(0);
    assertThat(cause.path("field").asText()).isEqualTo("spec.replicas");
    assertThat(cause.path("reason").asText()).isEqualTo("FieldValueInvalid");
    assertThat(
            client
                .genericKubernetesResources("bellhop.dev/v1alpha1", "HotelService")
                .inNamespace("t")
                .withName("rate")
                .get())
        .isNull();
  }

  @Test
  void aGoodOneIsStoredAndABadPatchOfItRefused() throws Exception {
    Reply created =
        send(
            "POST",
            HOTEL_SERVICES + KUBECTL_CREATE,
            "application/json",
            hotelService("geo", "{\"port\":8082,\"selector\":{\"app\":\"geo\"}}"));
    assertThat(created.code()).isEqualTo(201);

    Reply patched =
        send(
            "PATCH",
            HOTEL_SERVICES + "/geo?fieldValidation=Strict",
            "application/merge-patch+json",
            "{\"spec\":{\"selector\":null}}");
    assertThat(patched.code()).isEqualTo(422);
    assertThat(patched.body().path("details").path("causes").get(0).path("message").asText())
        .isEqualTo(
            "Invalid value: \"object\": spec.selector is required when spec.image is not set");
  }

  @Test
  void unknownFieldsAreABadRequestUnderStrict() throws Exception {
    Reply reply =
        send(
            "POST",
            HOTEL_SERVICES + KUBECTL_CREATE,
            "application/json",
            hotelService("auth", "{\"port\":8081,\"selector\":{\"app\":\"auth\"},\"replica\":2}"));
    assertThat(reply.code()).isEqualTo(400);
    assertThat(reply.body().path("message").asText())
        .endsWith("strict decoding error: unknown field \"spec.replica\"");
  }

  @Test
  void aCrdAppliedLaterTakesEffect() throws Exception {
    client
        .resource(
            Serialization.unmarshal(
                """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.test.dev}
        spec:
          group: test.dev
          names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, properties: {size: {type: integer, maximum: 3}}}
        """,
                CustomResourceDefinition.class))
        .create();
    Reply reply =
        send(
            "POST",
            "/apis/test.dev/v1/namespaces/t/widgets",
            "application/json",
            "{\"apiVersion\":\"test.dev/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"spec\":{\"size\":4}}");
    assertThat(reply.code()).isEqualTo(422);
    assertThat(reply.body().path("details").path("causes").get(0).path("field").asText())
        .isEqualTo("spec.size");
  }
}
