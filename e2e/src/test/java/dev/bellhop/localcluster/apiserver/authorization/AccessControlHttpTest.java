package dev.bellhop.localcluster.apiserver.authorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.ApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API server with authentication and RBAC on, driven over HTTP as a pod's client drives
 * it: a ServiceAccount token from the TokenRequest API, refused with kube's message until a
 * RoleBinding grants it, and the operator's ServiceAccount allowed exactly what k8s/bellhop.yaml
 * grants.
 */
class AccessControlHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path dir;
  static ApiServer api;
  static AccessControl access;
  static KubernetesClient admin;

  @BeforeAll
  static void start() {
    access = new AccessControl();
    api = ApiServer.start("127.0.0.1", 0, dir.resolve("kubeconfig"), access::install);
    access.connect(api.client());
    admin = api.client();
  }

  @AfterAll
  static void stop() {
    access.close();
    api.close();
  }

  record Reply(int code, JsonNode body) {}

  static Reply send(String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  /**
   * A ServiceAccount and a pod running as it, and a token bound to that pod, as the kubelet asks
   * it.
   */
  static String podToken(String ns, String account) {
    if (admin.namespaces().withName(ns).get() == null) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    if (admin.serviceAccounts().inNamespace(ns).withName(account).get() == null) {
      admin
          .serviceAccounts()
          .inNamespace(ns)
          .resource(
              new ServiceAccountBuilder().withNewMetadata().withName(account).endMetadata().build())
          .create();
    }
    Pod pod =
        admin
            .pods()
            .inNamespace(ns)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withGenerateName(account + "-")
                    .endMetadata()
                    .withNewSpec()
                    .withServiceAccountName(account)
                    .addNewContainer()
                    .withName("c")
                    .withImage("x")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    assertThat(pod.getSpec().getVolumes())
        .as("the ServiceAccount plugin mounts a token")
        .anySatisfy(
            v ->
                assertThat(v.getProjected().getSources().get(0).getServiceAccountToken())
                    .isNotNull());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                access.tokens() != null
                    && admin.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get()
                        != null);
    return await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () ->
                admin
                    .serviceAccounts()
                    .inNamespace(ns)
                    .withName(account)
                    .tokenRequest(
                        new TokenRequestBuilder()
                            .withNewSpec()
                            .withExpirationSeconds(3607L)
                            .withNewBoundObjectRef()
                            .withKind("Pod")
                            .withApiVersion("v1")
                            .withName(pod.getMetadata().getName())
                            .withUid(pod.getMetadata().getUid())
                            .endBoundObjectRef()
                            .endSpec()
                            .build())
                    .getStatus()
                    .getToken(),
            t -> t != null);
  }

  @Test
  void aServiceAccountIsRefusedWithKubesMessageUntilARoleBindingGrantsIt() throws Exception {
    String token = podToken("shop", "worker");
    String configMaps = "/api/v1/namespaces/shop/configmaps";
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> send(token, "GET", configMaps, null).code() != 401);
    Reply refused = send(token, "GET", configMaps, null);
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.body().path("reason").asText()).isEqualTo("Forbidden");
    assertThat(refused.body().path("message").asText())
        .isEqualTo(
            "configmaps is forbidden: User "
                + "\"system:serviceaccount:shop:worker\" cannot list resource \"configmaps\" in API group \"\" in the "
                + "namespace \"shop\"");

    admin
        .rbac()
        .roles()
        .inNamespace("shop")
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("cm-reader")
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("configmaps")
                .withVerbs("list")
                .endRule()
                .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace("shop")
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("cm-reader")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "cm-reader")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("worker")
                .withNamespace("shop")
                .endSubject()
                .build())
        .create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> send(token, "GET", configMaps, null).code() == 200);
    assertThat(send(token, "GET", "/api/v1/namespaces/other/configmaps", null).code())
        .isEqualTo(403);
    assertThat(send(token, "DELETE", configMaps + "/x", null).code()).isEqualTo(403);
  }

  @Test
  void noTokenIsAnonymousAndABadOrOrphanedTokenIsUnauthorized() throws Exception {
    Reply anonymous = send(null, "GET", "/api/v1/namespaces/shop/pods", null);
    assertThat(anonymous.code()).isEqualTo(403);
    assertThat(anonymous.body().path("message").asText())
        .contains("User \"system:anonymous\" cannot list");
    assertThat(send("not-a-token", "GET", "/api/v1/namespaces/shop/pods", null).code())
        .isEqualTo(401);

    String token = podToken("gone", "worker");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> send(token, "GET", "/version", null).code() == 200);
    admin.pods().inNamespace("gone").delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> send(token, "GET", "/version", null).code() == 401);
  }

  @Test
  void aPodOfAMissingServiceAccountIsRefused() {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("nosa").endMetadata().build())
        .create();
    assertThat(
            org.assertj.core.api.Assertions.catchThrowableOfType(
                io.fabric8.kubernetes.client.KubernetesClientException.class,
                () ->
                    admin
                        .pods()
                        .inNamespace("nosa")
                        .resource(
                            new PodBuilder()
                                .withNewMetadata()
                                .withName("p")
                                .endMetadata()
                                .withNewSpec()
                                .withServiceAccountName("ghost")
                                .addNewContainer()
                                .withName("c")
                                .withImage("x")
                                .endContainer()
                                .endSpec()
                                .build())
                        .create()))
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "pods \"p\" is forbidden: error looking up service "
                          + "account nosa/ghost: serviceaccount \"ghost\" not found");
            });
  }

  @Test
  void theOperatorsServiceAccountMayDoExactlyWhatTheManifestsGrant() throws Exception {
    List<HasMetadata> objects;
    try (InputStream in = Files.newInputStream(repoRoot().resolve("k8s/bellhop.yaml"))) {
      objects = admin.load(in).items();
    }
    List<HasMetadata> rbac = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o.getKind().equals("Namespace")
          || o.getKind().equals("ServiceAccount")
          || o.getApiVersion().startsWith("rbac.authorization.k8s.io/")) {
        rbac.add(admin.resource(o).createOr(r -> r.update()));
      }
    }
    String token = podToken("bellhop", "bellhop-operator");
    List<PolicyRule> cluster =
        rbac.stream()
            .filter(ClusterRole.class::isInstance)
            .map(ClusterRole.class::cast)
            .findFirst()
            .orElseThrow()
            .getRules();
    List<PolicyRule> leaderElection =
        rbac.stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .findFirst()
            .orElseThrow()
            .getRules();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> canI(token, "bellhop", "coordination.k8s.io", "leases", "update"));
    for (PolicyRule rule : cluster) {
      for (String verb : rule.getVerbs()) {
        for (String resource : rule.getResources()) {
          assertThat(canI(token, "any", rule.getApiGroups().get(0), resource, verb))
              .as(resource + " " + verb)
              .isTrue();
        }
      }
    }
    for (PolicyRule rule : leaderElection) {
      for (String verb : rule.getVerbs()) {
        assertThat(canI(token, "bellhop", "coordination.k8s.io", "leases", verb))
            .as("leases " + verb)
            .isTrue();
        assertThat(canI(token, "elsewhere", "coordination.k8s.io", "leases", verb))
            .as("leases elsewhere")
            .isFalse();
      }
    }
    assertThat(canI(token, "bellhop", "coordination.k8s.io", "leases", "delete")).isFalse();
    assertThat(canI(token, "bellhop", "", "secrets", "delete")).isFalse();
    assertThat(canI(token, "bellhop", "", "pods", "create")).isFalse();
    assertThat(canI(token, "bellhop", "bellhop.dev", "hotelservices", "delete")).isFalse();
    assertThat(canI(token, "bellhop", "bellhop.dev", "hotelservices/finalizers", "update"))
        .isFalse();

    // What JOSDK asks before it elects: get, create and update on leases in its namespace.
    Reply rules =
        send(
            token,
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":\"bellhop\"}}");
    assertThat(rules.code()).isEqualTo(201);
    assertThat(rules.body().at("/status/resourceRules").toString())
        .contains(
            "\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],\"verbs\":[\"get\",\"create\",\"update\",\"patch\"]");
  }

  private static boolean canI(String token, String ns, String group, String resource, String verb)
      throws Exception {
    String[] parts = resource.split("/", 2);
    String body =
        JSON.createObjectNode()
            .set(
                "spec",
                JSON.createObjectNode()
                    .set(
                        "resourceAttributes",
                        JSON.createObjectNode()
                            .put("namespace", ns)
                            .put("group", group)
                            .put("resource", parts[0])
                            .put("subresource", parts.length > 1 ? parts[1] : "")
                            .put("verb", verb)))
            .toString();
    Reply r = send(token, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body);
    assertThat(r.code()).isEqualTo(201);
    return r.body().at("/status/allowed").asBoolean();
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.exists(p.resolve("k8s/bellhop.yaml"))) {
      p = p.getParent();
    }
    return p;
  }
}
