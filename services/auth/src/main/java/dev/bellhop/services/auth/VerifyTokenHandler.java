package dev.bellhop.services.auth;

import dev.bellhop.services.common.rpc.Fields;
import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * {@code Auth.VerifyToken {authToken}} → {@code {customer:{id, username}}}; bad or expired → 401.
 */
final class VerifyTokenHandler implements RpcHandler {
  private final Customers customers;
  private final Tokens tokens;

  VerifyTokenHandler(Customers customers, Tokens tokens) {
    this.customers = customers;
    this.tokens = tokens;
  }

  @Override
  public Future<JsonObject> handle(RpcRequest request) {
    String token = Fields.requiredString(request.body(), "authToken");
    Tokens.Subject subject;
    try {
      subject = tokens.verify(token);
    } catch (Tokens.InvalidTokenException e) {
      throw RpcException.unauthorized(e.getMessage());
    }
    if (customers.byId(subject.customerId()) == null) {
      throw RpcException.unauthorized("unknown customer");
    }
    return Future.succeededFuture(
        new JsonObject()
            .put(
                "customer",
                new JsonObject()
                    .put("id", subject.customerId())
                    .put("username", subject.username())));
  }
}
