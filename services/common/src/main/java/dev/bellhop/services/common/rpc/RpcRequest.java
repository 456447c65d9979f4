package dev.bellhop.services.common.rpc;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/** One decoded RPC call: the JSON body and the HTTP headers it came with. */
public record RpcRequest(String method, JsonObject body, MultiMap headers) {}
