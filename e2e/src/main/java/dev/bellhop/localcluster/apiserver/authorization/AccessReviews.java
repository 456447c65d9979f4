package dev.bellhop.localcluster.apiserver.authorization;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatus;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The authorization.k8s.io/v1 reviews, answered from the same RBAC rules that authorize requests:
 * SelfSubjectRulesReview (JOSDK asks one before leader election and needs get, create and update on
 * Leases), SelfSubjectAccessReview ({@code kubectl auth can-i}), SubjectAccessReview and
 * LocalSubjectAccessReview. Creating one is itself authorized before it gets here (the self reviews
 * through the built-in {@code system:basic-user}); nothing is stored.
 */
public final class AccessReviews {
  public static final String GROUP = "authorization.k8s.io";
  private static final Set<String> RESOURCES =
      Set.of(
          "selfsubjectrulesreviews",
          "selfsubjectaccessreviews",
          "subjectaccessreviews",
          "localsubjectaccessreviews");

  private final RbacAuthorizer rbac;

  public AccessReviews(RbacAuthorizer rbac) {
    this.rbac = rbac;
  }

  /** A POST this class answers in place of the store. */
  public static boolean handles(RequestInfo request) {
    return request.resourceRequest()
        && GROUP.equals(request.apiGroup())
        && "create".equals(request.verb())
        && RESOURCES.contains(request.resource())
        && request.name() == null;
  }

  /** The review with its status, as JSON (HTTP 201). A body that is no review is a 400. */
  public String answer(RequestInfo request, UserInfo user, String body) {
    try {
      Object answered =
          switch (request.resource()) {
            case "selfsubjectrulesreviews" ->
                rules(user, Serialization.unmarshal(body, SelfSubjectRulesReview.class));
            case "selfsubjectaccessreviews" ->
                self(user, Serialization.unmarshal(body, SelfSubjectAccessReview.class));
            case "subjectaccessreviews" ->
                subject(Serialization.unmarshal(body, SubjectAccessReview.class));
            default ->
                local(request, Serialization.unmarshal(body, LocalSubjectAccessReview.class));
          };
      return Serialization.asJson(answered);
    } catch (RuntimeException e) {
      if (e instanceof ApiError error) {
        throw error;
      }
      throw badRequest("the body is not a " + request.resource() + " object: " + e.getMessage());
    }
  }

  private SelfSubjectRulesReview rules(UserInfo user, SelfSubjectRulesReview review) {
    String namespace = review.getSpec() == null ? null : review.getSpec().getNamespace();
    List<io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule> resourceRules =
        new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRule> nonResourceRules =
        new ArrayList<>();
    for (PolicyRule rule : rbac.rulesFor(user, namespace)) {
      if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
        nonResourceRules.add(
            new NonResourceRuleBuilder()
                .withVerbs(rule.getVerbs())
                .withNonResourceURLs(rule.getNonResourceURLs())
                .build());
      }
      if (rule.getResources() != null && !rule.getResources().isEmpty()) {
        resourceRules.add(
            new ResourceRuleBuilder()
                .withVerbs(rule.getVerbs())
                .withApiGroups(rule.getApiGroups())
                .withResources(rule.getResources())
                .withResourceNames(rule.getResourceNames())
                .build());
      }
    }
    review.setStatus(new SubjectRulesReviewStatus(null, false, nonResourceRules, resourceRules));
    return review;
  }

  private SelfSubjectAccessReview self(UserInfo user, SelfSubjectAccessReview review) {
    var spec = review.getSpec();
    review.setStatus(
        decide(
            user,
            spec == null ? null : spec.getResourceAttributes(),
            spec == null ? null : spec.getNonResourceAttributes()));
    return review;
  }

  private SubjectAccessReview subject(SubjectAccessReview review) {
    var spec = review.getSpec();
    if (spec == null
        || (spec.getUser() == null || spec.getUser().isEmpty())
            && (spec.getGroups() == null || spec.getGroups().isEmpty())) {
      throw badRequest("spec.user or spec.groups is required");
    }
    UserInfo user =
        new UserInfo(
            spec.getUser() == null ? "" : spec.getUser(),
            spec.getUid(),
            spec.getGroups() == null ? List.of() : spec.getGroups());
    review.setStatus(decide(user, spec.getResourceAttributes(), spec.getNonResourceAttributes()));
    return review;
  }

  private LocalSubjectAccessReview local(RequestInfo request, LocalSubjectAccessReview review) {
    var spec = review.getSpec();
    if (spec == null
        || spec.getResourceAttributes() == null
        || !request.namespace().equals(spec.getResourceAttributes().getNamespace())) {
      throw badRequest("spec.resourceAttributes.namespace must be \"" + request.namespace() + "\"");
    }
    UserInfo user =
        new UserInfo(
            spec.getUser() == null ? "" : spec.getUser(),
            spec.getUid(),
            spec.getGroups() == null ? List.of() : spec.getGroups());
    review.setStatus(decide(user, spec.getResourceAttributes(), null));
    return review;
  }

  private SubjectAccessReviewStatus decide(
      UserInfo user, ResourceAttributes resource, NonResourceAttributes other) {
    RequestInfo asked;
    if (resource != null) {
      asked =
          new RequestInfo(
              resource.getVerb(),
              "",
              true,
              resource.getGroup() == null ? "" : resource.getGroup(),
              resource.getVersion(),
              empty(resource.getNamespace()),
              resource.getResource(),
              empty(resource.getSubresource()),
              empty(resource.getName()),
              Map.of());
    } else if (other != null) {
      asked =
          new RequestInfo(
              other.getVerb(),
              other.getPath(),
              false,
              null,
              null,
              null,
              null,
              null,
              null,
              Map.of());
    } else {
      throw badRequest(
          "exactly one of spec.resourceAttributes and spec.nonResourceAttributes is required");
    }
    boolean allowed = user.isMember(UserInfo.MASTERS) || rbac.authorize(user, asked).allowed();
    // kube's RBAC authorizer names no reason for a denial; an allowance it explains by the binding.
    return new SubjectAccessReviewStatus(allowed, null, null, allowed ? "allowed by RBAC" : "");
  }

  private static String empty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static ApiError badRequest(String message) {
    return new ApiError(400, "BadRequest", message, GROUP, null, null, List.of());
  }
}
