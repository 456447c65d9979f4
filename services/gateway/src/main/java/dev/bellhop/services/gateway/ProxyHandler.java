package dev.bellhop.services.gateway;

import dev.bellhop.services.common.rpc.RpcException;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code POST /[service]/[method]} and {@code POST /rpc}: finds the service's instances in the
 * routing table, forwards the body and headers to one of them as {@code POST /Service.Method},
 * and hands back its status, headers and body unchanged.
 *
 * <p>Every request is handled on the event loop that accepted it, with an HTTP client of that
 * event loop (so upstream connections never hop threads). A connection failure is retried once
 * on another instance; {@code GATEWAY_TIMEOUT_MS} bounds the whole exchange (504).
 */
final class ProxyHandler {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProxyHandler.class);
  private static final String CLIENT_KEY = "bellhop.gateway.client";
  private static final String TARGET_KEY = "bellhop.gateway.target";
  private static final String SERVICE_KEY = "bellhop.gateway.service";
  /** RFC 7230 §6.1 hop-by-hop headers, plus the ones the proxy recomputes. */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");

  private final Vertx vertx;
  private final GatewaySettings settings;
  // Bound once the server (which owns the meter registry) exists, before it listens.
  private volatile RoutingTable table;
  private volatile GatewayMetrics metrics;

  ProxyHandler(Vertx vertx, GatewaySettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  void bind(RoutingTable table, GatewayMetrics metrics) {
    this.table = table;
    this.metrics = metrics;
  }

  /** Everything but the common health and metrics routes comes here. */
  void install(Router router) {
    router.route().handler(this::precheck);
    router.route().handler(BodyHandler.create(false)
        .setBodyLimit(settings.maxBodyBytes())
        .setMergeFormAttributes(false));
    router.route().handler(this::proxy);
  }

  /** Before the body is read: method, declared size, and (path style) the route, so bad calls fail fast. */
  private void precheck(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> metrics.request(ctx.get(SERVICE_KEY, GatewayMetrics.UNKNOWN),
        ctx.response().getStatusCode(), System.nanoTime() - start));
    HttpServerRequest request = ctx.request();
    if (request.method() != HttpMethod.POST) {
      ctx.response().putHeader("allow", "POST");
      reject(ctx, new RpcException(405, request.method().name() + " not allowed: the gateway takes POST"));
      return;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        reject(ctx, RpcException.badRequest("bad Content-Length: " + length));
        return;
      }
      if (declared > settings.maxBodyBytes()) {
        // The body stays unread, which makes the connection unusable: close it after the answer.
        ctx.response().putHeader("connection", "close");
        ctx.addEndHandler(v -> ctx.request().connection().close());
        ctx.fail(new RpcException(413, "request body larger than " + settings.maxBodyBytes() + " bytes"));
        return;
      }
    }
    String path = ctx.normalizedPath();
    if (!path.equals("/rpc")) {
      PathMapping.Target target = PathMapping.map(path);
      if (target == null) {
        reject(ctx, RpcException.notFound("no route for " + path + ": expected /[service]/[method] or /rpc"));
        return;
      }
      try {
        table.route(target.service());
      } catch (RpcException e) {
        reject(ctx, e);
        return;
      }
      ctx.put(TARGET_KEY, target);
    }
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
      ctx.response().writeContinue();
    }
    ctx.next();
  }

  /**
   * Fails a call before its body was read. The router paused the request; unless it is resumed
   * (the body then drains into nothing) the keep-alive connection would stall for the next call.
   */
  private static void reject(RoutingContext ctx, RpcException error) {
    if (!ctx.request().isEnded()) {
      ctx.request().resume();
    }
    ctx.fail(error);
  }

  private void proxy(RoutingContext ctx) {
    PathMapping.Target target = ctx.get(TARGET_KEY);
    Buffer payload = ctx.body().buffer();
    if (payload == null) {
      payload = Buffer.buffer();
    }
    boolean rpc = target == null;
    if (rpc) {
      try {
        RpcCall call = parseRpc(payload);
        target = call.target;
        payload = call.request;
      } catch (RpcException e) {
        ctx.fail(e);
        return;
      }
    }
    ServiceRoute route;
    try {
      route = table.route(target.service());
    } catch (RpcException e) {
      ctx.fail(e);
      return;
    }
    ctx.put(SERVICE_KEY, route.name);
    route.touch(System.nanoTime());
    Exchange exchange = new Exchange(ctx, route, target, payload, headers(ctx.request(), rpc));
    if (route.isLoaded()) {
      exchange.start();
    } else {
      // First request for this service: wait for Consul's first answer (bounded by the timeout).
      Context here = Vertx.currentContext();
      exchange.armTimer();
      route.whenLoaded().onComplete(ar -> here.runOnContext(v -> exchange.send(null, null)));
    }
  }

  private record RpcCall(PathMapping.Target target, Buffer request) {}

  private static RpcCall parseRpc(Buffer body) {
    Object parsed;
    try {
      parsed = body.length() == 0 ? null : Json.decodeValue(body);
    } catch (RuntimeException e) {
      throw RpcException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(parsed instanceof JsonObject call)) {
      throw RpcException.badRequest("/rpc takes a JSON object {\"service\",\"method\",\"request\"}");
    }
    List<String> missing = new ArrayList<>(3);
    for (String field : List.of("service", "method", "request")) {
      Object value = call.getValue(field);
      if (value == null || value instanceof String s && s.isBlank()) {
        missing.add(field);
      }
    }
    if (!missing.isEmpty()) {
      throw RpcException.badRequest("missing field" + (missing.size() > 1 ? "s" : "") + ": " + String.join(", ", missing));
    }
    if (!(call.getValue("service") instanceof String service) || !PathMapping.SERVICE.matcher(service).matches()) {
      throw RpcException.badRequest("service must be a service name, got " + call.getValue("service"));
    }
    if (!(call.getValue("method") instanceof String method) || !PathMapping.METHOD.matcher(method).matches()) {
      throw RpcException.badRequest("method must look like Service.Method, got " + call.getValue("method"));
    }
    Object request = call.getValue("request");
    Buffer payload;
    if (request instanceof JsonObject object) {
      payload = object.toBuffer();
    } else if (request instanceof String text) {
      Object inner;
      try {
        inner = Json.decodeValue(text);
      } catch (RuntimeException e) {
        throw RpcException.badRequest("request is not JSON: " + firstLine(e.getMessage()));
      }
      if (!(inner instanceof JsonObject)) {
        throw RpcException.badRequest("request must be a JSON object (or a string holding one)");
      }
      payload = Buffer.buffer(text);
    } else {
      throw RpcException.badRequest("request must be a JSON object (or a string holding one)");
    }
    return new RpcCall(new PathMapping.Target(service, method), payload);
  }

  /** The request's headers minus hop-by-hop ones, plus X-Request-Id, traceparent and X-Forwarded-For. */
  private static MultiMap headers(HttpServerRequest request, boolean rpc) {
    MultiMap in = request.headers();
    MultiMap out = HttpHeaders.headers();
    String connection = in.get(HttpHeaders.CONNECTION);
    for (Map.Entry<String, String> header : in) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(name) || connection != null && listed(connection, name)
          || rpc && name.equals("content-type")) {
        continue;
      }
      out.add(header.getKey(), header.getValue());
    }
    if (rpc || !out.contains(HttpHeaders.CONTENT_TYPE)) {
      out.set(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (!out.contains("x-request-id")) {
      out.set("X-Request-Id", hex(random.nextLong()) + hex(random.nextLong()));
    }
    if (!out.contains("traceparent")) {
      out.set("traceparent", "00-" + hex(random.nextLong()) + hex(random.nextLong()) + "-" + hex(random.nextLong()) + "-01");
    }
    String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (client != null) {
      String forwarded = out.get("x-forwarded-for");
      out.set("X-Forwarded-For", forwarded == null ? client : forwarded + ", " + client);
    }
    return out;
  }

  private static boolean listed(String connectionHeader, String name) {
    for (String token : connectionHeader.split(",")) {
      if (token.trim().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private static String hex(long value) {
    String digits = Long.toHexString(value);
    return digits.length() == 16 ? digits : "0".repeat(16 - digits.length()) + digits;
  }

  /** This event loop's client to the instances: connections stay on the loop that uses them. */
  private HttpClient client() {
    Context context = Vertx.currentContext();
    HttpClient client = context.get(CLIENT_KEY);
    if (client == null) {
      client = vertx.createHttpClient(new HttpClientOptions()
              .setKeepAlive(true)
              .setTcpNoDelay(true)
              .setConnectTimeout((int) settings.connectTimeoutMillis())
              .setName("gateway-upstream"),
          new PoolOptions().setHttp1MaxSize(settings.maxConnectionsPerInstance()).setMaxWaitQueueSize(-1));
      context.put(CLIENT_KEY, client);
    }
    return client;
  }

  /** One proxied call: at most two attempts (the second only after a connection failure), one deadline. */
  private final class Exchange {
    final RoutingContext ctx;
    final ServiceRoute route;
    final PathMapping.Target target;
    final Buffer payload;
    final MultiMap headers;
    final String uri;
    long timer = -1;
    boolean done;
    HttpClientRequest current;
    Instance currentInstance;

    Exchange(RoutingContext ctx, ServiceRoute route, PathMapping.Target target, Buffer payload, MultiMap headers) {
      this.ctx = ctx;
      this.route = route;
      this.target = target;
      this.payload = payload;
      this.headers = headers;
      String query = ctx.request().query();
      this.uri = "/" + target.method() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    void start() {
      armTimer();
      send(null, null);
    }

    void armTimer() {
      timer = vertx.setTimer(settings.requestTimeoutMillis(), id -> timedOut());
    }

    void send(Instance avoid, String lastError) {
      if (done) {
        return;
      }
      Instance instance = route.pick(avoid);
      if (instance == null) {
        if (avoid == null) {
          metrics.upstreamError(route.name, "no_instance");
          finish(new RpcException(503, "no healthy instance of " + route.name));
        } else {
          finish(new RpcException(502, route.name + " unreachable: " + lastError));
        }
        return;
      }
      if (avoid != null) {
        metrics.retried(route.name);
      }
      Attempt attempt = new Attempt(instance);
      if (log.isDebugEnabled()) {
        log.atDebug().addKeyValue("service", route.name).addKeyValue("instance", instance.key)
            .addKeyValue("outstanding", instance.outstanding.get()).addKeyValue("retry", avoid != null).log("attempt");
      }
      currentInstance = instance;
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.POST)
          .setHost(instance.host)
          .setPort(instance.port)
          .setURI(uri)
          .setHeaders(headers)
          .setConnectTimeout(settings.connectTimeoutMillis());
      client().request(options).onComplete(connected -> {
        if (connected.failed()) {
          attempt.connectionFailed(connected.cause(), avoid == null);
          return;
        }
        HttpClientRequest request = connected.result();
        if (done) {
          request.reset();
          attempt.release();
          return;
        }
        current = request;
        request.send(payload).onComplete(answered -> {
          if (answered.failed()) {
            attempt.connectionFailed(answered.cause(), avoid == null);
            return;
          }
          HttpClientResponse response = answered.result();
          response.body().onComplete(read -> {
            attempt.release();
            if (done) {
              return;
            }
            if (read.failed()) {
              route.failed(instance);
              metrics.upstreamError(route.name, "connect");
              finish(new RpcException(502, route.name + " (" + instance.key + ") broke off its answer: "
                  + describe(read.cause())));
              return;
            }
            if (response.statusCode() >= 500) {
              route.failed(instance);
              metrics.upstreamError(route.name, "status_5xx");
            } else {
              route.succeeded(instance);
            }
            respond(response, read.result());
          });
        });
      });
    }

    private void respond(HttpClientResponse response, Buffer body) {
      done = true;
      vertx.cancelTimer(timer);
      HttpServerResponse out = ctx.response();
      if (out.ended() || out.closed()) {
        return;
      }
      out.setStatusCode(response.statusCode());
      if (response.statusMessage() != null) {
        out.setStatusMessage(response.statusMessage());
      }
      MultiMap outHeaders = out.headers();
      String connection = response.getHeader(HttpHeaders.CONNECTION);
      for (Map.Entry<String, String> header : response.headers()) {
        String name = header.getKey().toLowerCase(Locale.ROOT);
        if (HOP_BY_HOP.contains(name) || connection != null && listed(connection, name)) {
          continue;
        }
        outHeaders.add(header.getKey(), header.getValue());
      }
      if (!outHeaders.contains("x-request-id")) {
        outHeaders.set("X-Request-Id", headers.get("x-request-id"));
      }
      out.end(body);
    }

    private void timedOut() {
      if (log.isDebugEnabled()) {
        log.atDebug().addKeyValue("service", route.name).addKeyValue("done", done).log("timer");
      }
      if (done) {
        return;
      }
      if (currentInstance != null) {
        route.failed(currentInstance);
      }
      metrics.upstreamError(route.name, "timeout");
      done = true; // before the reset, whose failure must not count as a connection failure
      if (current != null) {
        current.reset();
      }
      finish(new RpcException(504, route.name + " did not answer " + target.method() + " within "
          + settings.requestTimeoutMillis() + " ms"));
    }

    private void finish(RpcException error) {
      done = true;
      vertx.cancelTimer(timer);
      if (!ctx.response().ended() && !ctx.response().closed()) {
        ctx.fail(error);
      }
    }

    /** One try on one instance; its outstanding count is released exactly once. */
    private final class Attempt {
      final Instance instance;
      boolean released;

      Attempt(Instance instance) {
        this.instance = instance;
        instance.outstanding.incrementAndGet();
      }

      void release() {
        if (!released) {
          released = true;
          instance.outstanding.decrementAndGet();
        }
      }

      /** No answer from the instance (refused, reset, closed): retried once on another instance. */
      void connectionFailed(Throwable cause, boolean firstTry) {
        release();
        if (done) {
          return;
        }
        route.failed(instance);
        metrics.upstreamError(route.name, "connect");
        String why = instance.key + ": " + describe(cause);
        if (firstTry) {
          send(instance, why);
        } else {
          finish(new RpcException(502, route.name + " unreachable: " + why));
        }
      }
    }
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : firstLine(message);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }

}
