package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import dev.bellhop.localcluster.apiserver.authorization.Authorizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * kube's OwnerReferencesPermissionEnforcement (on by default in OpenShift): who changes an object's
 * ownerReferences must be allowed to delete it (updates only: a creator could have not created it),
 * and who sets {@code blockOwnerDeletion: true} on a reference must be allowed to {@code update}
 * the owner's {@code finalizers} subresource, since it then holds up the owner's foreground
 * deletion. Asked of the chain's authorizer; members of {@code system:masters} pass.
 */
public final class OwnerReferencesPermissionEnforcement implements AdmissionPlugin {
  /** The resource (plural) that serves a kind: kube asks its RESTMapper. */
  @FunctionalInterface
  public interface ResourceMapper {
    String resource(String apiVersion, String kind);

    /** kube's UnsafeGuessKindToResource, right for every kind the project owns. */
    static String guess(String apiVersion, String kind) {
      String lower = kind.toLowerCase(Locale.ROOT);
      if (lower.endsWith("s")) {
        return lower + "es";
      }
      if (lower.endsWith("y")) {
        return lower.substring(0, lower.length() - 1) + "ies";
      }
      return lower + "s";
    }
  }

  private final Authorizer authorizer;
  private final ResourceMapper mapper;

  public OwnerReferencesPermissionEnforcement(Authorizer authorizer, ResourceMapper mapper) {
    this.authorizer = authorizer;
    this.mapper = mapper;
  }

  @Override
  public void admit(AdmissionRequest request) {
    if (request.operation() == Operation.DELETE || request.user().isMember(UserInfo.MASTERS)) {
      return;
    }
    JsonNode refs = request.object().path("metadata").path("ownerReferences");
    JsonNode oldRefs =
        request.oldObject() == null
            ? null
            : request.oldObject().path("metadata").path("ownerReferences");
    if (!changed(refs, oldRefs)) {
      return;
    }
    RequestInfo info = request.info();
    if (request.operation() == Operation.UPDATE) {
      RequestInfo delete =
          new RequestInfo(
              "delete",
              info.path(),
              true,
              info.apiGroup(),
              info.apiVersion(),
              info.namespace(),
              info.resource(),
              null,
              info.name(),
              Map.of());
      authorize(request, delete, "cannot set an ownerRef on a resource you can't delete: ");
    }
    for (JsonNode ref : newBlocking(refs, oldRefs)) {
      String apiVersion = ref.path("apiVersion").asText("");
      String group = FieldErrors.group(apiVersion);
      String version =
          apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
      String resource = mapper.resource(apiVersion, ref.path("kind").asText(""));
      String name = ref.path("name").asText("");
      String namespace = info.namespace();
      String path =
          (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
              + (namespace == null ? "" : "/namespaces/" + namespace)
              + "/"
              + resource
              + "/"
              + name
              + "/finalizers";
      RequestInfo finalizers =
          new RequestInfo(
              "update",
              path,
              true,
              group,
              version,
              namespace,
              resource,
              "finalizers",
              name,
              Map.of());
      authorize(
          request,
          finalizers,
          "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't "
              + "set finalizers on: ");
    }
  }

  /** kube's refusal quotes the authorizer's reason and its error (nil). */
  private void authorize(AdmissionRequest request, RequestInfo attributes, String refusal) {
    Authorizer.Decision decision = authorizer.authorize(request.user(), attributes);
    if (!decision.allowed()) {
      throw forbidden(request, refusal + decision.reason() + ", <nil>");
    }
  }

  private static boolean changed(JsonNode refs, JsonNode oldRefs) {
    return !JsonCompare.semanticallyEqual(refs, oldRefs);
  }

  /** References with blockOwnerDeletion true that the old object did not have blocking (by uid). */
  private static List<JsonNode> newBlocking(JsonNode refs, JsonNode oldRefs) {
    Set<String> blockingBefore = new HashSet<>();
    if (oldRefs != null) {
      oldRefs.forEach(
          r -> {
            if (r.path("blockOwnerDeletion").asBoolean(false)) {
              blockingBefore.add(r.path("uid").asText());
            }
          });
    }
    List<JsonNode> blocking = new ArrayList<>();
    refs.forEach(
        r -> {
          if (r.path("blockOwnerDeletion").asBoolean(false)
              && !blockingBefore.contains(r.path("uid").asText())) {
            blocking.add(r);
          }
        });
    return blocking;
  }

  private static ApiError forbidden(AdmissionRequest request, String why) {
    String resource = request.info().resource();
    String group = request.info().apiGroup();
    String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
    String name = request.object().path("metadata").path("name").asText("");
    return new ApiError(
        403,
        "Forbidden",
        qualified + " " + FieldErrors.render(name) + " is forbidden: " + why,
        group,
        resource,
        name,
        List.of());
  }
}
