package dev.bellhop.services.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceServer;
import dev.bellhop.services.common.testing.RpcCalls;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthServiceTest {
  static final String KEY = "test-key-that-is-at-least-32-bytes-long";
  static Vertx vertx;
  static ServiceServer server;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        AuthMain.start(
                vertx,
                ServiceConfig.from(
                    "auth",
                    0,
                    Map.of(
                        "BIND_ADDR",
                        "127.0.0.1",
                        "AUTH_JWT_KEY",
                        KEY,
                        "AUTH_TOKEN_TTL_SECONDS",
                        "600")))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static HttpResponse<String> call(String method, String body) throws Exception {
    return RpcCalls.post(server.port(), method, body);
  }

  static void assertError(HttpResponse<String> response, int code, String detail) {
    assertThat(response.statusCode()).isEqualTo(code);
    JsonObject error = new JsonObject(response.body());
    assertThat(error.getInteger("code")).isEqualTo(code);
    assertThat(error.getString("id")).isEqualTo("go.micro.srv.auth");
    assertThat(error.getString("detail")).contains(detail);
  }

  static String login(String username, String password) throws Exception {
    var response =
        call(
            "Auth.Login",
            new JsonObject().put("username", username).put("password", password).encode());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(Instant.parse(body.getString("expiresAt")))
        .isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));
    return body.getString("token");
  }

  @Test
  void loginIssuesTokensThatVerify() throws Exception {
    String token = login("demo", "bellhop-demo");
    var verified = call("Auth.VerifyToken", new JsonObject().put("authToken", token).encode());
    assertThat(verified.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(verified.body()).getJsonObject("customer"))
        .isEqualTo(new JsonObject().put("id", "c0000").put("username", "demo"));

    String guest = login("guest0420", "pw-guest0420");
    assertThat(
            new JsonObject(
                    call("Auth.VerifyToken", new JsonObject().put("authToken", guest).encode())
                        .body())
                .getJsonObject("customer")
                .getString("username"))
        .isEqualTo("guest0420");
  }

  @Test
  void loginRejectsBadCredentialsAndInput() throws Exception {
    assertError(
        call("Auth.Login", "{\"username\":\"demo\",\"password\":\"wrong\"}"),
        401,
        "invalid username or password");
    assertError(
        call("Auth.Login", "{\"username\":\"nobody\",\"password\":\"bellhop-demo\"}"),
        401,
        "invalid username or password");
    assertError(call("Auth.Login", "{\"username\":\"demo\"}"), 400, "password is required");
    assertError(
        call("Auth.Login", "{\"username\":42,\"password\":\"x\"}"),
        400,
        "username must be a string");
    assertError(
        call("Auth.Login", "{\"username\":\"demo\",\"password\":\"" + "x".repeat(73) + "\"}"),
        400,
        "72 bytes");
    assertError(call("Auth.Login", "not json"), 400, "malformed JSON");
  }

  @Test
  void verifyRejectsBadTokens() throws Exception {
    assertError(call("Auth.VerifyToken", "{}"), 400, "authToken is required");
    assertError(call("Auth.VerifyToken", "{\"authToken\":[]}"), 400, "authToken must be a string");
    assertError(call("Auth.VerifyToken", "{\"authToken\":\"garbage\"}"), 401, "invalid token");
    String token = login("demo", "bellhop-demo");
    String tampered =
        token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertError(
        call("Auth.VerifyToken", new JsonObject().put("authToken", tampered).encode()),
        401,
        "invalid token");
    assertError(
        call(
            "Auth.VerifyToken",
            new JsonObject()
                .put("authToken", sign(KEY + "-other", "c0000", Instant.now().plusSeconds(60)))
                .encode()),
        401,
        "invalid token");
    assertError(
        call(
            "Auth.VerifyToken",
            new JsonObject()
                .put("authToken", sign(KEY, "c0000", Instant.now().minusSeconds(60)))
                .encode()),
        401,
        "expired");
    assertError(
        call(
            "Auth.VerifyToken",
            new JsonObject()
                .put("authToken", sign(KEY, "c9999", Instant.now().plusSeconds(60)))
                .encode()),
        401,
        "unknown customer");
    // alg=none must never pass
    String[] parts = token.split("\\.");
    String none =
        java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[1]
            + ".";
    assertError(
        call("Auth.VerifyToken", new JsonObject().put("authToken", none).encode()),
        401,
        "invalid token");
  }

  static String sign(String key, String subject, Instant expires) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .issuer("bellhop-auth")
                .subject(subject)
                .claim("username", "demo")
                .issueTime(Date.from(expires.minusSeconds(600)))
                .expirationTime(Date.from(expires))
                .build());
    jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  @Test
  void keyMustBeLongEnough() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Tokens.key(ServiceConfig.from("auth", 0, Map.of("AUTH_JWT_KEY", "short"))))
        .hasMessageContaining("at least 32 bytes");
  }
}
