package dev.bellhop.localcluster.apiserver.authentication;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Bound ServiceAccount tokens as kube-apiserver issues them for projected volumes (TokenRequest):
 * RS256 JWTs with the API server's issuer and audience, an expiry, and the {@code kubernetes.io}
 * claim naming the namespace, the ServiceAccount and the pod (name and uid) the token is bound to.
 * The key pair is made per API server start: tokens of an earlier cluster are worth nothing.
 */
public final class ServiceAccountTokens {
  public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";

  /**
   * What the kubelet asks for a projected token (kube's default: 1 h, plus 7 s to spot clients that
   * never re-read).
   */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(3607);

  /** What a token is bound to. */
  public record Binding(
      String namespace,
      String serviceAccount,
      String serviceAccountUid,
      String pod,
      String podUid) {
    public String userName() {
      return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }
  }

  /** A verified token: its binding and when it stops being valid. */
  public record Verified(Binding binding, Instant expires) {}

  private final RSAKey key;
  private final Clock clock;

  public ServiceAccountTokens(Clock clock) {
    this.clock = clock;
    try {
      key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot make the token signing key", e);
    }
  }

  public ServiceAccountTokens() {
    this(Clock.systemUTC());
  }

  public String issue(Binding binding, Duration ttl) {
    Instant now = clock.instant();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(ISSUER)
            .subject(binding.userName())
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .claim(
                "kubernetes.io",
                Map.of(
                    "namespace", binding.namespace(),
                    "pod", Map.of("name", binding.pod(), "uid", binding.podUid()),
                    "serviceaccount",
                        Map.of(
                            "name", binding.serviceAccount(), "uid", binding.serviceAccountUid())))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }

  /** The token's binding when it is one of ours, unexpired and well formed; empty otherwise. */
  public Optional<Verified> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!jwt.verify(new RSASSAVerifier(key.toRSAPublicKey()))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (!ISSUER.equals(claims.getIssuer())
          || claims.getAudience() == null
          || !claims.getAudience().contains(ISSUER)
          || claims.getExpirationTime() == null
          || !now.isBefore(claims.getExpirationTime().toInstant())
          || claims.getNotBeforeTime() != null
              && now.isBefore(claims.getNotBeforeTime().toInstant())) {
        return Optional.empty();
      }
      Map<String, Object> kube = claims.getJSONObjectClaim("kubernetes.io");
      if (kube == null) {
        return Optional.empty();
      }
      Map<?, ?> pod = (Map<?, ?>) kube.get("pod");
      Map<?, ?> sa = (Map<?, ?>) kube.get("serviceaccount");
      Binding binding =
          new Binding(
              (String) kube.get("namespace"),
              (String) sa.get("name"),
              (String) sa.get("uid"),
              (String) pod.get("name"),
              (String) pod.get("uid"));
      if (!binding.userName().equals(claims.getSubject())) {
        return Optional.empty();
      }
      return Optional.of(new Verified(binding, claims.getExpirationTime().toInstant()));
    } catch (ParseException | JOSEException | ClassCastException | NullPointerException e) {
      return Optional.empty();
    }
  }

  /** The groups kube gives a ServiceAccount. */
  static List<String> groups(String namespace) {
    return List.of(
        "system:serviceaccounts",
        "system:serviceaccounts:" + namespace,
        dev.bellhop.localcluster.apiserver.UserInfo.AUTHENTICATED);
  }
}
