package dev.bellhop.localcluster.apiserver.authorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessReviewsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final UserInfo SA = RbacAuthorizerTest.SA;
  static final String BASE = "/apis/authorization.k8s.io/v1/";

  private final AccessReviews reviews =
      new AccessReviews(
          new RbacAuthorizer(
              new StaticRbacSource(
                  List.of(
                      new RoleBuilder()
                          .withNewMetadata()
                          .withNamespace("shop")
                          .withName("leases")
                          .endMetadata()
                          .withRules(
                              new PolicyRuleBuilder()
                                  .withApiGroups("coordination.k8s.io")
                                  .withResources("leases")
                                  .withVerbs("get", "create", "update")
                                  .build())
                          .build(),
                      new RoleBindingBuilder()
                          .withNewMetadata()
                          .withNamespace("shop")
                          .withName("leases")
                          .endMetadata()
                          .withNewRoleRef("rbac.authorization.k8s.io", "Role", "leases")
                          .addNewSubject()
                          .withKind("ServiceAccount")
                          .withName("worker")
                          .withNamespace("shop")
                          .endSubject()
                          .build()))));

  private JsonNode answer(UserInfo user, String resource, String body) throws Exception {
    RequestInfo info = RequestInfo.parse("POST", BASE + resource);
    assertThat(AccessReviews.handles(info)).isTrue();
    return JSON.readTree(reviews.answer(info, user, body));
  }

  @Test
  void rulesReviewListsTheNamespacesRulesAndTheDefaults() throws Exception {
    JsonNode status =
        answer(
                SA,
                "selfsubjectrulesreviews",
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":\"shop\"}}")
            .get("status");
    assertThat(status.get("incomplete").asBoolean()).isFalse();
    assertThat(status.get("resourceRules").toString())
        .contains(
            "{\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],\"verbs\":[\"get\",\"create\",\"update\"]}")
        .contains("selfsubjectrulesreviews");
    assertThat(status.get("nonResourceRules").toString()).contains("/version");

    JsonNode elsewhere =
        answer(SA, "selfsubjectrulesreviews", "{\"spec\":{\"namespace\":\"other\"}}").get("status");
    assertThat(elsewhere.get("resourceRules").toString()).doesNotContain("leases");
    assertThat(elsewhere.get("resourceRules").toString())
        .as("not an admin")
        .doesNotContain("\"*\"");

    UserInfo admin = new UserInfo("admin", "", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
    JsonNode everything =
        answer(admin, "selfsubjectrulesreviews", "{\"spec\":{\"namespace\":\"shop\"}}")
            .get("status");
    assertThat(everything.get("resourceRules").toString())
        .contains("{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}");
    assertThat(everything.get("nonResourceRules").toString()).contains("\"*\"");
  }

  @Test
  void selfAccessReviewAnswersCanI() throws Exception {
    String ask =
        "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"shop\",\"verb\":\"%s\",\"group\":"
            + "\"coordination.k8s.io\",\"resource\":\"leases\",\"name\":\"bellhop-operator\"}}}";
    assertThat(
            answer(SA, "selfsubjectaccessreviews", ask.formatted("update"))
                .at("/status/allowed")
                .asBoolean())
        .isTrue();
    assertThat(
            answer(SA, "selfsubjectaccessreviews", ask.formatted("delete"))
                .at("/status/allowed")
                .asBoolean())
        .isFalse();
    assertThat(
            answer(
                    SA,
                    "selfsubjectaccessreviews",
                    "{\"spec\":{\"nonResourceAttributes\":{\"path\":\"/version\",\"verb\":\"get\"}}}")
                .at("/status/allowed")
                .asBoolean())
        .isTrue();
  }

  @Test
  void subjectAccessReviewAsksForSomeoneElse() throws Exception {
    String ask =
        "{\"spec\":{\"user\":\"%s\",\"groups\":[\"system:authenticated\"],\"resourceAttributes\":"
            + "{\"namespace\":\"shop\",\"verb\":\"get\",\"group\":\"coordination.k8s.io\",\"resource\":\"leases\"}}}";
    UserInfo admin = new UserInfo("admin", "", List.of(UserInfo.MASTERS));
    assertThat(
            answer(
                    admin,
                    "subjectaccessreviews",
                    ask.formatted("system:serviceaccount:shop:worker"))
                .at("/status/allowed")
                .asBoolean())
        .isTrue();
    assertThat(
            answer(admin, "subjectaccessreviews", ask.formatted("system:serviceaccount:shop:other"))
                .at("/status/allowed")
                .asBoolean())
        .isFalse();
  }

  @Test
  void aBodyThatIsNoReviewIsABadRequest() {
    RequestInfo info = RequestInfo.parse("POST", BASE + "selfsubjectaccessreviews");
    assertThatThrownBy(() -> reviews.answer(info, SA, "{\"spec\":{}}"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(400));
    assertThatThrownBy(() -> reviews.answer(info, SA, "not json"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(400));
  }
}
