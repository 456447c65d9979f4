package dev.bellhop.services.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.bellhop.services.common.server.ServiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HS256 JWTs (Nimbus JOSE+JWT): issued by Login, checked by VerifyToken. Every auth instance must
 * share the key (AUTH_JWT_KEY_FILE or AUTH_JWT_KEY); without one, tokens only verify on the
 * instance that issued them, hence the warning.
 */
public final class Tokens {
  static final String ISSUER = "bellhop-auth";
  static final int MIN_KEY_BYTES = 32; // HS256 needs a 256-bit key
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);

  /** A verified token's subject. */
  public record Subject(String customerId, String username) {}

  private final MACSigner signer;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final Duration ttl;
  private final Clock clock;

  public Tokens(byte[] key, Duration ttl, Duration clockSkew, Clock clock) {
    try {
      this.signer = new MACSigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("JWT key: " + e.getMessage(), e);
    }
    this.ttl = ttl;
    this.clock = clock;
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256, new SecretKeySpec(key, "HmacSHA256")));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            new JWTClaimsSet.Builder().issuer(ISSUER).build(),
            Set.of("sub", "exp", "iat", "username")) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew((int) clockSkew.toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  public static Tokens fromConfig(ServiceConfig config) {
    Duration ttl = Duration.ofSeconds(config.envInt("AUTH_TOKEN_TTL_SECONDS", 3600));
    Duration skew = Duration.ofSeconds(config.envInt("AUTH_CLOCK_SKEW_SECONDS", 5));
    return new Tokens(key(config), ttl, skew, Clock.systemUTC());
  }

  static byte[] key(ServiceConfig config) {
    String file = config.env("AUTH_JWT_KEY_FILE", null);
    String inline = config.env("AUTH_JWT_KEY", null);
    byte[] key;
    if (file != null) {
      try {
        key =
            Files.readString(Path.of(file), StandardCharsets.UTF_8)
                .strip()
                .getBytes(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read AUTH_JWT_KEY_FILE " + file, e);
      }
    } else if (inline != null) {
      key = inline.getBytes(StandardCharsets.UTF_8);
    } else {
      key = new byte[MIN_KEY_BYTES];
      new SecureRandom().nextBytes(key);
      log.atWarn()
          .log(
              "no AUTH_JWT_KEY_FILE or AUTH_JWT_KEY: generated a random key; "
                  + "tokens will not verify on other instances or after a restart");
      return key;
    }
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "the JWT key must be at least " + MIN_KEY_BYTES + " bytes, got " + key.length);
    }
    return key;
  }

  public record Issued(String token, Instant expiresAt) {}

  public Issued issue(String customerId, String username) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(customerId)
            .claim("username", username)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expires))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    // JWT times have one-second resolution; report what the token says.
    return new Issued(jwt.serialize(), Instant.ofEpochSecond(expires.getEpochSecond()));
  }

  /**
   * Throws {@link InvalidTokenException} for a bad signature, algorithm, issuer or an expired
   * token.
   */
  public Subject verify(String token) {
    try {
      JWTClaimsSet claims = processor.process(token, null);
      Object username = claims.getClaim("username");
      if (!(username instanceof String name)) {
        throw new InvalidTokenException("token has no username");
      }
      return new Subject(claims.getSubject(), name);
    } catch (BadJWTException e) {
      throw new InvalidTokenException(
          e.getMessage().toLowerCase().contains("expired")
              ? "token expired"
              : "invalid token: " + e.getMessage());
    } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
      if (e instanceof InvalidTokenException invalid) {
        throw invalid;
      }
      throw new InvalidTokenException("invalid token");
    }
  }

  public static final class InvalidTokenException extends RuntimeException {
    InvalidTokenException(String message) {
      super(message, null, false, false);
    }
  }
}
