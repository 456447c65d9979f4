package dev.bellhop.services.common.server;

import dev.bellhop.services.common.rpc.RpcException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.json.Json;

/**
 * The checks a request to a Bellhop server passes, whichever handler takes it: the services' RPC
 * dispatch ({@link ServiceServer}) or the gateway's proxy. One home, so that a service and the
 * gateway read paths alike and answer the same bad call with the same error.
 */
public final class RequestChecks {
  private static final CharSequence ALLOW = io.vertx.core.http.HttpHeaders.createOptimized("allow");
  private static final CharSequence POST = io.vertx.core.http.HttpHeaders.createOptimized("POST");

  /** Error details quote at most this much of a parser's message. */
  private static final int MAX_DETAIL = 200;

  private RequestChecks() {}

  /**
   * The path as Vert.x Web's router sees it (percent-decoded, dot segments and double slashes
   * removed), or null; paths with nothing to normalize (nearly all) are returned as they are.
   */
  public static String routedPath(String path) {
    if (path != null
        && (path.indexOf('%') >= 0 || path.indexOf('.') >= 0 || path.indexOf("//") >= 0)) {
      return HttpUtils.normalizePath(path);
    }
    return path;
  }

  /**
   * Null for a POST; otherwise the 405 to answer (with {@code detail}), its {@code Allow: POST}
   * header already set on the response.
   */
  public static RpcException postOnly(HttpServerRequest request, String detail) {
    if (request.method() == HttpMethod.POST) {
      return null;
    }
    request.response().putHeader(ALLOW, POST);
    return new RpcException(405, detail);
  }

  /** The 413 for a body over {@code maxBytes} (declared or counted while reading). */
  public static RpcException bodyTooLarge(long maxBytes) {
    return new RpcException(413, "request body larger than " + maxBytes + " bytes");
  }

  /**
   * {@code body} decoded as JSON (a {@code JsonObject}, {@code JsonArray}, string, number, boolean
   * or null); a 400 {@code "<problem>: <the parser's first line>"} when it is not JSON.
   */
  public static Object parseJson(Buffer body, String problem) {
    try {
      return Json.decodeValue(body);
    } catch (RuntimeException e) {
      throw RpcException.badRequest(problem + ": " + firstLine(e.getMessage()));
    }
  }

  /** Whether a Content-Type names JSON ({@code application/json}, any parameters). */
  public static boolean isJson(String contentType) {
    int semi = contentType.indexOf(';');
    String mime = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return mime.equalsIgnoreCase("application/json");
  }

  /** The first line of an error message, cut to 200 characters: enough to tell, never a dump. */
  public static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > MAX_DETAIL ? line.substring(0, MAX_DETAIL) : line;
  }
}
