package dev.bellhop.services.common.rpc;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Handles one RPC method on the event loop. Must not block: CPU-heavy work (password hashing)
 * belongs in {@code vertx.executeBlocking}.
 */
@FunctionalInterface
public interface RpcHandler {
  Future<JsonObject> handle(RpcRequest request);
}
