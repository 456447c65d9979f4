package dev.bellhop.localcluster.apiserver.authentication;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.Chain;
import dev.bellhop.localcluster.apiserver.UserInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Bearer tokens: the admin kubeconfig's static token (a member of {@code system:masters}, for the
 * cluster's own controllers and the demo's installer), and bound ServiceAccount tokens, valid only
 * while their ServiceAccount and pod exist with the uids they were issued for. Any other bearer
 * token is a 401; no Authorization header is no credential (the front makes that anonymous).
 */
public final class TokenAuthenticator implements Authenticator {
  private final byte[] adminToken;
  private final ServiceAccountTokens tokens;
  private final BoundObjects bound;

  public TokenAuthenticator(String adminToken, ServiceAccountTokens tokens, BoundObjects bound) {
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    this.tokens = tokens;
    this.bound = bound;
  }

  @Override
  public Optional<UserInfo> authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return Optional.empty();
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ApiError.unauthorized(); // no basic auth or client certificates here
    }
    String token = authorization.substring(7).trim();
    if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(Chain.ADMIN);
    }
    var verified = tokens.verify(token).orElseThrow(ApiError::unauthorized);
    var b = verified.binding();
    boolean live =
        bound
                .serviceAccountUid(b.namespace(), b.serviceAccount())
                .filter(b.serviceAccountUid()::equals)
                .isPresent()
            && bound.podUid(b.namespace(), b.pod()).filter(b.podUid()::equals).isPresent();
    if (!live) {
      throw ApiError
          .unauthorized(); // the ServiceAccount or the pod was deleted (or replaced by a namesake)
    }
    return Optional.of(
        new UserInfo(
            b.userName(), b.serviceAccountUid(), ServiceAccountTokens.groups(b.namespace())));
  }
}
