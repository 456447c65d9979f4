package dev.bellhop.services.gateway;

import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.server.RequestChecks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a {@code POST /rpc}: {@code {"service", "method", "request"}}, the request a JSON
 * object or a string holding one. Anything else is a 400 that names what is wrong.
 */
record RpcCall(PathMapping.Target target, Buffer request) {
  private static final String FORM = "request must be a JSON object (or a string holding one)";

  static RpcCall parse(Buffer body) {
    Object parsed = body.length() == 0 ? null : RequestChecks.parseJson(body, "malformed JSON");
    if (!(parsed instanceof JsonObject call)) {
      throw RpcException.badRequest(
          "/rpc takes a JSON object {\"service\",\"method\",\"request\"}");
    }
    List<String> missing = new ArrayList<>(3);
    for (String field : List.of("service", "method", "request")) {
      Object value = call.getValue(field);
      if (value == null || value instanceof String s && s.isBlank()) {
        missing.add(field);
      }
    }
    if (!missing.isEmpty()) {
      throw RpcException.badRequest(
          "missing field" + (missing.size() > 1 ? "s" : "") + ": " + String.join(", ", missing));
    }
    if (!(call.getValue("service") instanceof String service)
        || !PathMapping.SERVICE.matcher(service).matches()) {
      throw RpcException.badRequest(
          "service must be a service name, got " + call.getValue("service"));
    }
    if (!(call.getValue("method") instanceof String method)
        || !PathMapping.METHOD.matcher(method).matches()) {
      throw RpcException.badRequest(
          "method must look like Service.Method, got " + call.getValue("method"));
    }
    Object request = call.getValue("request");
    Buffer payload;
    if (request instanceof JsonObject object) {
      payload = object.toBuffer();
    } else if (request instanceof String text) {
      payload = Buffer.buffer(text);
      if (!(RequestChecks.parseJson(payload, "request is not JSON") instanceof JsonObject)) {
        throw RpcException.badRequest(FORM);
      }
    } else {
      throw RpcException.badRequest(FORM);
    }
    return new RpcCall(new PathMapping.Target(service, method), payload);
  }
}
