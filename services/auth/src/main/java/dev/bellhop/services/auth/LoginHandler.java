package dev.bellhop.services.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/** {@code Auth.Login {username, password}} → {@code {token, expiresAt}}. */
final class LoginHandler implements RpcHandler {
  /** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently cut. */
  static final int MAX_PASSWORD_BYTES = 72;

  private final Vertx vertx;
  private final Customers customers;
  private final Tokens tokens;

  /**
   * Checked for unknown usernames, at the customers' cost, so a miss costs as long as a wrong
   * password.
   */
  private final byte[] dummyHash;

  LoginHandler(Vertx vertx, Customers customers, Tokens tokens) {
    this.vertx = vertx;
    this.customers = customers;
    this.tokens = tokens;
    this.dummyHash =
        BCrypt.withDefaults()
            .hash(customers.cost(), new byte[16], "dummy".getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Future<JsonObject> handle(RpcRequest request) {
    String username = Fields.requiredString(request.body(), "username");
    String password = Fields.requiredString(request.body(), "password");
    byte[] passwordBytes = password.getBytes(StandardCharsets.UTF_8);
    if (passwordBytes.length > MAX_PASSWORD_BYTES || username.length() > 256) {
      throw RpcException.badRequest(
          "password must be at most " + MAX_PASSWORD_BYTES + " bytes, username 256 characters");
    }
    Customers.Customer customer = customers.byUsername(username);
    // bcrypt is deliberately slow: verify on a worker thread, never on the event loop.
    return vertx.executeBlocking(
        () -> {
          byte[] hash =
              customer == null
                  ? dummyHash
                  : customer.passwordHash().getBytes(StandardCharsets.US_ASCII);
          boolean ok = BCrypt.verifyer().verify(passwordBytes, hash).verified;
          if (!ok || customer == null) {
            throw RpcException.unauthorized("invalid username or password");
          }
          Tokens.Issued issued = tokens.issue(customer.id(), customer.username());
          return new JsonObject()
              .put("token", issued.token())
              .put("expiresAt", issued.expiresAt().toString());
        },
        false);
  }
}
