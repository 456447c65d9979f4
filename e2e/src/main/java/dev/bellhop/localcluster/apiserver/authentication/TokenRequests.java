package dev.bellhop.localcluster.apiserver.authentication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.ApiRequest;
import dev.bellhop.localcluster.apiserver.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The TokenRequest API ({@code POST .../serviceaccounts/<name>/token}), which the kubelet calls for
 * every projected token: a token of that ServiceAccount bound to the pod the request names ({@code
 * spec.boundObjectRef}), for {@code spec.expirationSeconds} (kube's minimum 10 minutes). Who may
 * ask is RBAC's concern ({@code create serviceaccounts/token}); the kubelet is an admin.
 */
public final class TokenRequests implements Endpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIN_SECONDS = 600;

  private final ServiceAccountTokens tokens;
  private final BoundObjects bound;

  public TokenRequests(ServiceAccountTokens tokens, BoundObjects bound) {
    this.tokens = tokens;
    this.bound = bound;
  }

  @Override
  public Optional<ApiRequest.Response> serve(ApiRequest request) {
    var info = request.info();
    if (!info.resourceRequest()
        || !info.apiGroup().isEmpty()
        || !"serviceaccounts".equals(info.resource())
        || !"token".equals(info.subresource())
        || !"create".equals(info.verb())) {
      return Optional.empty();
    }
    JsonNode body;
    try {
      body = JSON.readTree(request.body());
    } catch (IOException e) {
      throw bad("the body is not a TokenRequest: " + e.getMessage());
    }
    String ns = info.namespace();
    String saUid =
        bound
            .serviceAccountUid(ns, info.name())
            .orElseThrow(
                () ->
                    new ApiError(
                        404,
                        "NotFound",
                        "serviceaccounts \"" + info.name() + "\" not found",
                        "",
                        "serviceaccounts",
                        info.name(),
                        List.of()));
    JsonNode ref = body.at("/spec/boundObjectRef");
    if (!"Pod".equals(ref.path("kind").asText())) {
      throw bad("spec.boundObjectRef: the local cluster binds tokens to pods only");
    }
    String pod = ref.path("name").asText();
    String podUid =
        bound
            .podUid(ns, pod)
            .orElseThrow(() -> bad("spec.boundObjectRef: pod \"" + pod + "\" not found"));
    if (!ref.path("uid").asText(podUid).equals(podUid)) {
      throw bad("spec.boundObjectRef.uid: the pod \"" + pod + "\" has another uid");
    }
    long seconds =
        Math.max(
            MIN_SECONDS,
            body.at("/spec/expirationSeconds")
                .asLong(ServiceAccountTokens.DEFAULT_TTL.toSeconds()));
    var binding = new ServiceAccountTokens.Binding(ns, info.name(), saUid, pod, podUid);
    String token = tokens.issue(binding, Duration.ofSeconds(seconds));
    ObjectNode answer = body.deepCopy();
    answer.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
    ((ObjectNode) answer.with("spec")).put("expirationSeconds", seconds);
    tokens
        .verify(token)
        .ifPresent(
            v ->
                answer
                    .putObject("status")
                    .put("token", token)
                    .put("expirationTimestamp", v.expires().toString()));
    return Optional.of(new ApiRequest.Response(201, answer));
  }

  private static ApiError bad(String message) {
    return new ApiError(
        400, "BadRequest", message, "authentication.k8s.io", "TokenRequest", null, List.of());
  }
}
