package dev.bellhop.services.common.rpc;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.json.JsonObject;

/** The go-micro error shape: {@code {"id","code","detail","status"}}, HTTP status == code. */
public final class RpcErrors {
  private RpcErrors() {}

  public static JsonObject body(String id, int code, String detail) {
    return new JsonObject()
        .put("id", id)
        .put("code", code)
        .put("detail", detail == null ? "" : detail)
        .put("status", HttpResponseStatus.valueOf(code).reasonPhrase());
  }
}
