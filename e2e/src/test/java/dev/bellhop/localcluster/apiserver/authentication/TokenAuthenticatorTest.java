package dev.bellhop.localcluster.apiserver.authentication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.UserInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {
  static final ServiceAccountTokens.Binding BINDING =
      new ServiceAccountTokens.Binding("shop", "worker", "sa-uid", "worker-0", "pod-uid");

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-04T10:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private final ServiceAccountTokens tokens = new ServiceAccountTokens(clock);
  private final Map<String, String> uids =
      new HashMap<>(Map.of("sa/shop/worker", "sa-uid", "pod/shop/worker-0", "pod-uid"));
  private final TokenAuthenticator authenticator =
      new TokenAuthenticator(
          "admin-secret",
          tokens,
          new BoundObjects() {
            @Override
            public Optional<String> serviceAccountUid(String namespace, String name) {
              return Optional.ofNullable(uids.get("sa/" + namespace + "/" + name));
            }

            @Override
            public Optional<String> podUid(String namespace, String name) {
              return Optional.ofNullable(uids.get("pod/" + namespace + "/" + name));
            }
          });

  private Optional<UserInfo> bearer(String token) {
    return authenticator.authenticate("Bearer " + token);
  }

  private static void assertUnauthorized(Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(401));
  }

  @Test
  void theAdminTokenIsASystemMaster() {
    UserInfo admin = bearer("admin-secret").orElseThrow();
    assertThat(admin.isMember(UserInfo.MASTERS)).isTrue();
  }

  @Test
  void aServiceAccountTokenIsItsServiceAccount() {
    UserInfo user = bearer(tokens.issue(BINDING, Duration.ofHours(1))).orElseThrow();
    assertThat(user.name()).isEqualTo("system:serviceaccount:shop:worker");
    assertThat(user.uid()).isEqualTo("sa-uid");
    assertThat(user.groups())
        .containsExactly(
            "system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated");
    assertThat(user.isMember(UserInfo.MASTERS)).isFalse();
  }

  @Test
  void theTokenCarriesKubesClaims() throws Exception {
    String token = tokens.issue(BINDING, Duration.ofSeconds(3607));
    var claims = com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("system:serviceaccount:shop:worker");
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(now.get().plusSeconds(3607));
    assertThat(claims.getJSONObjectClaim("kubernetes.io").toString())
        .contains("namespace=shop")
        .contains("name=worker-0")
        .contains("uid=pod-uid")
        .contains("uid=sa-uid");
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token = tokens.issue(BINDING, Duration.ofMinutes(10));
    now.set(now.get().plus(Duration.ofMinutes(9)));
    assertThat(bearer(token)).isPresent();
    now.set(now.get().plus(Duration.ofMinutes(1)));
    assertUnauthorized(() -> bearer(token));
  }

  @Test
  void aTokenWhosePodOrServiceAccountIsGoneOrReplacedIsRefused() {
    String token = tokens.issue(BINDING, Duration.ofHours(1));
    uids.put("pod/shop/worker-0", "a-new-pod-of-the-same-name");
    assertUnauthorized(() -> bearer(token));
    uids.put("pod/shop/worker-0", "pod-uid");
    uids.remove("sa/shop/worker");
    assertUnauthorized(() -> bearer(token));
  }

  @Test
  void forgedAndForeignTokensAreRefused() {
    String token = tokens.issue(BINDING, Duration.ofHours(1));
    String[] parts = token.split("\\.");
    String forged =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                        .replace("worker", "admin0")
                        .getBytes())
            + "."
            + parts[2];
    assertUnauthorized(() -> bearer(forged));
    String foreign = new ServiceAccountTokens(clock).issue(BINDING, Duration.ofHours(1));
    assertUnauthorized(() -> bearer(foreign));
    assertUnauthorized(() -> bearer("local"));
    assertUnauthorized(() -> authenticator.authenticate("Basic YWRtaW46YWRtaW4="));
  }

  @Test
  void noCredentialIsNoUser() {
    assertThat(authenticator.authenticate(null)).isEmpty();
    assertThat(authenticator.authenticate("")).isEmpty();
  }

  @Test
  void groupsOfAServiceAccount() {
    assertThat(ServiceAccountTokens.groups("x"))
        .isEqualTo(
            List.of("system:serviceaccounts", "system:serviceaccounts:x", "system:authenticated"));
  }
}
