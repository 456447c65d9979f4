package dev.bellhop.localcluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front alone (no Consul, no kubelet), driven as clients drive it: the JDK's HTTP client for
 * what kubectl and Helm send (patch types, streamed watches, errors), fabric8 for what the operator
 * and the cluster's parts do (WebSocket watches, status updates).
 */
class ApiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path dir;
  static ApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = ApiServer.start("127.0.0.1", 0, dir.resolve("kubeconfig"));
    client = api.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("t").endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  record Reply(int code, String contentType, JsonNode body, List<String> warnings) {}

  static Reply send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Authorization", "Bearer " + api.adminToken())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body().isEmpty() ? null : JSON.readTree(response.body()),
        response.headers().allValues("Warning"));
  }

  static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/t/deployments";

  static String deployment(String name) {
    return """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s","labels":{"app":"%s"}},
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"%s"}},
          "template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[
            {"name":"main","image":"busybox:1","ports":[{"containerPort":80}],"env":[{"name":"A","value":"1"}]},
            {"name":"side","image":"envoy:1"}]}}}}
        """
        .formatted(name, name, name, name);
  }

  @Test
  void createsGetsListsWithKubeMetadata() throws Exception {
    Reply created = send("POST", DEPLOYMENTS, "application/json", deployment("web"));
    assertThat(created.code()).isEqualTo(201);
    assertThat(created.contentType()).isEqualTo("application/json");
    JsonNode meta = created.body().get("metadata");
    assertThat(meta.get("uid").asText()).isNotEmpty();
    assertThat(meta.get("generation").asLong()).isEqualTo(1);
    // RFC 3339, as client-go parses metav1.Time.
    DateTimeFormatter.ISO_INSTANT.parse(meta.get("creationTimestamp").asText());
    assertThat(meta.get("creationTimestamp").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    Reply got = send("GET", DEPLOYMENTS + "/web", null, null);
    assertThat(got.body().get("spec").get("replicas").asInt()).isEqualTo(1);
    Reply list = send("GET", DEPLOYMENTS + "?labelSelector=app%3Dweb", null, null);
    assertThat(list.body().get("kind").asText()).isEqualTo("DeploymentList");
    assertThat(list.body().get("items")).hasSize(1);
    Reply none = send("GET", DEPLOYMENTS + "?fieldSelector=metadata.name%3Dother", null, null);
    assertThat(none.body().get("items")).isEmpty();

    Reply again = send("POST", DEPLOYMENTS, "application/json", deployment("web"));
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.body().get("reason").asText()).isEqualTo("AlreadyExists");
  }

  @Test
  void errorsAreStatusObjects() throws Exception {
    Reply missing = send("GET", DEPLOYMENTS + "/nothing", null, null);
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.contentType()).isEqualTo("application/json");
    assertThat(missing.body().get("kind").asText()).isEqualTo("Status");
    assertThat(missing.body().get("apiVersion").asText()).isEqualTo("v1");
    assertThat(missing.body().get("status").asText()).isEqualTo("Failure");
    assertThat(missing.body().get("reason").asText()).isEqualTo("NotFound");
    assertThat(missing.body().get("message").asText())
        .isEqualTo("deployments.apps \"nothing\" not found");
    assertThat(missing.body().get("details").get("name").asText()).isEqualTo("nothing");
    assertThat(missing.body().get("code").asInt()).isEqualTo(404);

    Reply notJson = send("POST", DEPLOYMENTS, "application/json", "{not json");
    assertThat(notJson.code()).isEqualTo(400);
    assertThat(notJson.body().get("reason").asText()).isEqualTo("BadRequest");

    Reply unknownKind = send("GET", "/apis/apps/v1/namespaces/t/gizmos", null, null);
    assertThat(unknownKind.code()).isEqualTo(404);
  }

  @Test
  void staleResourceVersionIsAConflict() throws Exception {
    send("POST", DEPLOYMENTS, "application/json", deployment("stale"));
    JsonNode stored = send("GET", DEPLOYMENTS + "/stale", null, null).body();
    String first = stored.toString();
    Reply updated =
        send(
            "PUT",
            DEPLOYMENTS + "/stale",
            "application/json",
            first.replace("\"replicas\":1", "\"replicas\":2"));
    assertThat(updated.code()).isEqualTo(200);
    assertThat(updated.body().get("metadata").get("generation").asLong()).isEqualTo(2);

    Reply conflict =
        send(
            "PUT",
            DEPLOYMENTS + "/stale",
            "application/json",
            first.replace("\"replicas\":1", "\"replicas\":3"));
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.body().get("reason").asText()).isEqualTo("Conflict");
    assertThat(conflict.body().get("message").asText()).contains("the object has been modified");

    String staleVersion = stored.get("metadata").get("resourceVersion").asText();
    Reply patchConflict =
        send(
            "PATCH",
            DEPLOYMENTS + "/stale",
            "application/merge-patch+json",
            "{\"metadata\":{\"resourceVersion\":\""
                + staleVersion
                + "\"},\"spec\":{\"replicas\":4}}");
    assertThat(patchConflict.code()).isEqualTo(409);
  }

  @Test
  void patchesOfEveryType() throws Exception {
    send("POST", DEPLOYMENTS, "application/json", deployment("patched"));
    String path = DEPLOYMENTS + "/patched";

    Reply json =
        send(
            "PATCH",
            path,
            "application/json-patch+json",
            "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]");
    assertThat(json.code()).isEqualTo(200);
    assertThat(json.body().at("/spec/replicas").asInt()).isEqualTo(2);

    Reply merge =
        send(
            "PATCH",
            path,
            "application/merge-patch+json",
            "{\"metadata\":{\"labels\":{\"tier\":\"web\"}},\"spec\":{\"replicas\":3}}");
    assertThat(merge.body().at("/metadata/labels/tier").asText()).isEqualTo("web");
    assertThat(merge.body().at("/metadata/labels/app").asText()).isEqualTo("patched");

    // What kubectl apply sends: the container merged by name, the other kept, env merged by name.
    Reply strategic =
        send(
            "PATCH",
            path,
            "application/strategic-merge-patch+json",
            """
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"main"},{"name":"side"}],
          "containers":[{"name":"main","image":"busybox:2","env":[{"name":"B","value":"2"}]}]}}}}
        """);
    assertThat(strategic.code()).isEqualTo(200);
    JsonNode containers = strategic.body().at("/spec/template/spec/containers");
    assertThat(containers).hasSize(2);
    assertThat(containers.get(0).get("image").asText()).isEqualTo("busybox:2");
    assertThat(containers.get(0).get("env")).hasSize(2);
    assertThat(containers.get(0).get("ports").get(0).get("containerPort").asInt()).isEqualTo(80);
    assertThat(containers.get(1).get("name").asText()).isEqualTo("side");

    Reply apply =
        send(
            "PATCH",
            path + "?fieldManager=helm",
            "application/apply-patch+yaml",
            """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: patched
        spec:
          replicas: 5
        """);
    assertThat(apply.code()).isEqualTo(200);
    assertThat(apply.body().at("/spec/replicas").asInt()).isEqualTo(5);
    assertThat(apply.body().at("/spec/template/spec/containers")).hasSize(2);

    Reply unknown = send("PATCH", path, "application/x-something", "{}");
    assertThat(unknown.code()).isEqualTo(415);
  }

  @Test
  void scaleSubresourceAsKubectlScaleUsesIt() throws Exception {
    send("POST", DEPLOYMENTS, "application/json", deployment("scaled"));
    Reply scaled =
        send(
            "PATCH",
            DEPLOYMENTS + "/scaled/scale",
            "application/merge-patch+json",
            "{\"spec\":{\"replicas\":3}}");
    assertThat(scaled.code()).isEqualTo(200);
    assertThat(scaled.body().get("kind").asText()).isEqualTo("Scale");
    assertThat(scaled.body().at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(scaled.body().at("/status/selector").asText()).isEqualTo("app=scaled");
    assertThat(send("GET", DEPLOYMENTS + "/scaled", null, null).body().at("/spec/replicas").asInt())
        .isEqualTo(3);
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("t")
                .withName("scaled")
                .scale(4)
                .getSpec()
                .getReplicas())
        .isEqualTo(4);
  }

  @Test
  void statusSubresourceChangesOnlyStatus() throws Exception {
    send("POST", DEPLOYMENTS, "application/json", deployment("counted"));
    String path = DEPLOYMENTS + "/counted";
    Reply status =
        send(
            "PATCH",
            path + "/status",
            "application/merge-patch+json",
            "{\"spec\":{\"replicas\":9},\"status\":{\"readyReplicas\":1}}");
    assertThat(status.code()).isEqualTo(200);
    assertThat(status.body().at("/status/readyReplicas").asInt()).isEqualTo(1);
    assertThat(status.body().at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(status.body().at("/metadata/generation").asLong()).isEqualTo(1);

    Reply main =
        send(
            "PATCH",
            path,
            "application/merge-patch+json",
            "{\"spec\":{\"replicas\":2},\"status\":{\"readyReplicas\":7}}");
    assertThat(main.body().at("/status/readyReplicas").asInt()).isEqualTo(1);
    assertThat(main.body().at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(main.body().at("/metadata/generation").asLong()).isEqualTo(2);
  }

  @Test
  void fabric8UpdatesAndWatchesOverWebSocket() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    var cms = client.configMaps().inNamespace("t");
    cms.resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("seen")
                .endMetadata()
                .addToData("a", "1")
                .build())
        .create();
    try (var watch =
        cms.withName("seen")
            .watch(
                new Watcher<ConfigMap>() {
                  @Override
                  public void eventReceived(Action action, ConfigMap resource) {
                    events.add(action + " " + resource.getData().get("a"));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED 1");
      cms.withName("seen").edit(cm -> new ConfigMapBuilder(cm).addToData("a", "2").build());
      assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("MODIFIED 2");
      cms.withName("seen").delete();
      assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("DELETED 2");
    }
    Deployment d =
        client
            .apps()
            .deployments()
            .inNamespace("t")
            .resource(
                new DeploymentBuilder()
                    .withNewMetadata()
                    .withName("f8")
                    .endMetadata()
                    .withNewSpec()
                    .withReplicas(1)
                    .endSpec()
                    .build())
            .create();
    d.setStatus(
        new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1).build());
    assertThat(client.apps().deployments().resource(d).updateStatus().getStatus().getReplicas())
        .isEqualTo(1);
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("t")
                .withName("f8")
                .get()
                .getStatus()
                .getReplicas())
        .isEqualTo(1);
  }

  @Test
  void informersSeeStatusWritesOfLabelledObjects() throws Exception {
    var pods = client.pods().inNamespace("t");
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    pods.resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName("before")
                .addToLabels("app", "geo")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("x")
                .endContainer()
                .endSpec()
                .build())
        .create();
    try (var informer =
        pods.withLabel("app", "geo")
            .inform(
                new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                  @Override
                  public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {
                    seen.add("add " + pod.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(
                      io.fabric8.kubernetes.api.model.Pod old,
                      io.fabric8.kubernetes.api.model.Pod pod) {
                    seen.add(
                        "update "
                            + pod.getMetadata().getName()
                            + " "
                            + (pod.getStatus() == null ? null : pod.getStatus().getPhase()));
                  }

                  @Override
                  public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean unknown) {
                    seen.add("delete " + pod.getMetadata().getName());
                  }
                })) {
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("add before");
      pods.resource(
              new io.fabric8.kubernetes.api.model.PodBuilder()
                  .withNewMetadata()
                  .withName("other")
                  .addToLabels("app", "web")
                  .endMetadata()
                  .build())
          .create();
      pods.resource(
              new io.fabric8.kubernetes.api.model.PodBuilder()
                  .withNewMetadata()
                  .withName("after")
                  .addToLabels("app", "geo")
                  .endMetadata()
                  .build())
          .create();
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("add after");
      pods.withName("after")
          .editStatus(
              p ->
                  new io.fabric8.kubernetes.api.model.PodBuilder(p)
                      .withNewStatus()
                      .withPhase("Running")
                      .endStatus()
                      .build());
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("update after Running");
      pods.withName("after").delete();
      assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("delete after");
    }
  }

  @Test
  void streamsWatchesOverChunkedHttp() throws Exception {
    Reply created =
        send(
            "POST",
            "/api/v1/namespaces/t/configmaps",
            "application/json",
            "{\"metadata\":{\"name\":\"streamed\"},\"data\":{\"a\":\"1\"}}");
    String version = created.body().at("/metadata/resourceVersion").asText();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    api.url()
                        + "/api/v1/namespaces/t/configmaps?watch=true&fieldSelector=metadata.name%3Dstreamed&timeoutSeconds=20"
                        + "&resourceVersion="
                        + version))
            .header("Authorization", "Bearer " + api.adminToken())
            .build();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      send(
          "PATCH",
          "/api/v1/namespaces/t/configmaps/other-name",
          "application/merge-patch+json",
          "{}");
      send(
          "POST",
          "/api/v1/namespaces/t/configmaps",
          "application/json",
          "{\"metadata\":{\"name\":\"unrelated\"}}");
      send(
          "PATCH",
          "/api/v1/namespaces/t/configmaps/streamed",
          "application/merge-patch+json",
          "{\"data\":{\"a\":\"2\"}}");
      JsonNode event = JSON.readTree(lines.readLine());
      assertThat(event.get("type").asText()).isEqualTo("MODIFIED");
      assertThat(event.at("/object/data/a").asText()).isEqualTo("2");
    }
  }

  @Test
  void fieldValidationForBuiltInKinds() throws Exception {
    String withUnknown =
        deployment("strict").replace("\"replicas\":1", "\"replicas\":1,\"foo\":true");
    Reply strict =
        send("POST", DEPLOYMENTS + "?fieldValidation=Strict", "application/json", withUnknown);
    assertThat(strict.code()).isEqualTo(400);
    assertThat(strict.body().get("message").asText())
        .isEqualTo("strict decoding error: unknown field \"spec.foo\"");
    Reply warned = send("POST", DEPLOYMENTS, "application/json", withUnknown);
    assertThat(warned.code()).isEqualTo(201);
    assertThat(warned.warnings()).containsExactly("299 - \"unknown field \\\"spec.foo\\\"\"");
    Reply ignored =
        send(
            "PUT",
            DEPLOYMENTS + "/strict?fieldValidation=Ignore",
            "application/json",
            warned.body().toString());
    assertThat(ignored.code()).isEqualTo(200);
    assertThat(ignored.warnings()).isEmpty();
  }

  @Test
  void deletesAsKubesRegistry() throws Exception {
    String cms = "/api/v1/namespaces/t/configmaps";
    send(
        "POST",
        cms,
        "application/json",
        "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"x/y\"]}}");
    Reply marked = send("DELETE", cms + "/held", null, null);
    assertThat(marked.code()).isEqualTo(200);
    assertThat(marked.body().at("/metadata/deletionTimestamp").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(send("GET", cms + "/held", null, null).code()).isEqualTo(200);
    Reply released =
        send(
            "PATCH",
            cms + "/held",
            "application/json-patch+json",
            "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
    assertThat(released.code()).isEqualTo(200);
    assertThat(send("GET", cms + "/held", null, null).code()).isEqualTo(404);

    send("POST", cms, "application/json", "{\"metadata\":{\"name\":\"orphaning\"}}");
    Reply orphan =
        send(
            "DELETE",
            cms + "/orphaning",
            "application/json",
            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Orphan\"}");
    assertThat(orphan.body().at("/metadata/finalizers/0").asText()).isEqualTo("orphan");

    send("POST", cms, "application/json", "{\"metadata\":{\"name\":\"gone\"}}");
    Reply gone = send("DELETE", cms + "/gone?propagationPolicy=Background", null, null);
    assertThat(gone.body().get("kind").asText()).isEqualTo("Status");
    assertThat(gone.body().get("status").asText()).isEqualTo("Success");
    assertThat(send("DELETE", cms + "/gone", null, null).code()).isEqualTo(404);
  }

  @Test
  void servesVersion() throws Exception {
    Reply version = send("GET", "/version", null, null);
    assertThat(version.contentType()).isEqualTo("application/json");
    assertThat(version.body().get("gitVersion").asText()).startsWith("v1.3");
    await().atMost(Duration.ofSeconds(1)).until(() -> true);
  }

  @Test
  void fabric8SeesErrorsAsKubernetesClientExceptions() {
    var missing = client.apps().deployments().inNamespace("t").withName("none");
    try {
      missing.edit(d -> d);
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(404);
      return;
    }
    throw new AssertionError("edit of a missing object succeeded");
  }
}
