package dev.bellhop.localcluster.apiserver.admission;

import static dev.bellhop.localcluster.apiserver.admission.Requests.ADMIN;
import static dev.bellhop.localcluster.apiserver.admission.Requests.as;
import static dev.bellhop.localcluster.apiserver.admission.Requests.create;
import static dev.bellhop.localcluster.apiserver.admission.Requests.refusal;
import static dev.bellhop.localcluster.apiserver.admission.Requests.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** blockOwnerDeletion needs update on the owner's finalizers; changing references needs delete. */
class OwnerReferencesPermissionEnforcementTest {
  private final List<RequestInfo> asked = new ArrayList<>();
  private Set<String> granted = Set.of();

  /** Grants "verb resource/subresource" pairs, as an RBAC rule set would. */
  private final Authorizer authorizer =
      (user, info) -> {
        asked.add(info);
        String key =
            info.verb()
                + " "
                + info.resource()
                + (info.subresource() == null ? "" : "/" + info.subresource());
        return granted.contains(key) ? Authorizer.Decision.allow() : Authorizer.Decision.deny("");
      };

  private final OwnerReferencesPermissionEnforcement plugin =
      new OwnerReferencesPermissionEnforcement(
          authorizer, OwnerReferencesPermissionEnforcement.ResourceMapper::guess);

  private static final String OWNED =
      """
      {'metadata': {'name': 'consul-server', 'ownerReferences': [{'apiVersion': 'bellhop.dev/v1alpha1',
        'kind': 'ConsulCluster', 'name': 'consul', 'uid': 'cc-1', 'controller': true, 'blockOwnerDeletion': true}]}}""";

  @Test
  void blockOwnerDeletionNeedsUpdateOnTheOwnersFinalizers() {
    ApiError e =
        refusal(plugin, create("/apis/apps/v1/namespaces/demo/statefulsets", "StatefulSet", OWNED));
    assertThat(e.code()).isEqualTo(403);
    assertThat(e.getMessage())
        .isEqualTo(
            "statefulsets.apps \"consul-server\" is forbidden: cannot set "
                + "blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>");
    RequestInfo question = asked.get(0);
    assertThat(question.verb()).isEqualTo("update");
    assertThat(question.apiGroup()).isEqualTo("bellhop.dev");
    assertThat(question.resource()).isEqualTo("consulclusters");
    assertThat(question.subresource()).isEqualTo("finalizers");
    assertThat(question.name()).isEqualTo("consul");
    assertThat(question.namespace()).isEqualTo("demo");
    assertThat(question.path())
        .isEqualTo("/apis/bellhop.dev/v1alpha1/namespaces/demo/consulclusters/consul/finalizers");

    granted = Set.of("update consulclusters/finalizers");
    assertThat(
            refusal(
                plugin, create("/apis/apps/v1/namespaces/demo/statefulsets", "StatefulSet", OWNED)))
        .isNull();
  }

  @Test
  void withoutBlockingAMasterOrAnUnchangedReferenceNothingIsAsked() {
    assertThat(
            refusal(
                plugin,
                create(
                    "/apis/apps/v1/namespaces/demo/statefulsets",
                    "StatefulSet",
                    OWNED.replace("'blockOwnerDeletion': true", "'blockOwnerDeletion': false"))))
        .isNull();
    assertThat(
            refusal(
                plugin,
                as(
                    ADMIN,
                    create("/apis/apps/v1/namespaces/demo/statefulsets", "StatefulSet", OWNED))))
        .isNull();
    assertThat(
            refusal(
                plugin,
                update(
                    "/apis/apps/v1/namespaces/demo/statefulsets/consul-server",
                    "StatefulSet",
                    OWNED,
                    OWNED)))
        .isNull();
    assertThat(asked).isEmpty();
  }

  @Test
  void changingReferencesOnUpdateNeedsDeleteOnTheObject() {
    String unowned = "{'metadata': {'name': 'consul-server'}}";
    ApiError e =
        refusal(
            plugin,
            update(
                "/apis/apps/v1/namespaces/demo/statefulsets/consul-server",
                "StatefulSet",
                OWNED,
                unowned));
    assertThat(e.getMessage())
        .isEqualTo(
            "statefulsets.apps \"consul-server\" is forbidden: cannot set an ownerRef on "
                + "a resource you can't delete: , <nil>");
    granted = Set.of("delete statefulsets", "update consulclusters/finalizers");
    assertThat(
            refusal(
                plugin,
                update(
                    "/apis/apps/v1/namespaces/demo/statefulsets/consul-server",
                    "StatefulSet",
                    OWNED,
                    unowned)))
        .isNull();
  }
}
