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
import io.vertx.core.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
  private static final String LOOP_KEY = "bellhop.gateway.loop";
  private static final String TARGET_KEY = "bellhop.gateway.target";
  private static final String SERVICE_KEY = "bellhop.gateway.service";
  /** RFC 7230 §6.1 hop-by-hop headers, plus the ones the proxy recomputes. */
  private static final Set<String> HOP_BY_HOP = Set.of(
      "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");
  private static final List<String> HOP_BY_HOP_LIST = List.copyOf(HOP_BY_HOP);
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");

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
    readBody(ctx);
  }

  /**
   * Reads the body (at most MAX_BODY_BYTES, also when chunked) and proxies. Done here rather than
   * with Vert.x Web's BodyHandler: the gateway needs none of its form and upload handling.
   */
  private void readBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      proxy(ctx, Buffer.buffer());
      return;
    }
    Buffer[] body = {null};
    boolean[] failed = {false};
    boolean[] grown = {false};
    request.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      int size = (body[0] == null ? 0 : body[0].length()) + chunk.length();
      if (size > settings.maxBodyBytes()) {
        failed[0] = true;
        ctx.response().putHeader("connection", "close");
        ctx.addEndHandler(v -> request.connection().close());
        ctx.fail(new RpcException(413, "request body larger than " + settings.maxBodyBytes() + " bytes"));
        return;
      }
      if (body[0] == null) {
        body[0] = chunk; // most bodies come in one piece: kept as it is
      } else if (!grown[0]) {
        body[0] = Buffer.buffer(Math.max(size, 4096)).appendBuffer(body[0]).appendBuffer(chunk);
        grown[0] = true;
      } else {
        body[0].appendBuffer(chunk);
      }
    });
    request.exceptionHandler(e -> failed[0] = true); // the connection broke: nothing to answer
    request.endHandler(v -> {
      if (!failed[0]) {
        proxy(ctx, body[0] == null ? Buffer.buffer() : body[0]);
      }
    });
    request.resume();
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

  private void proxy(RoutingContext ctx, Buffer body) {
    PathMapping.Target target = ctx.get(TARGET_KEY);
    Buffer payload = body;
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

  /**
   * The request's headers minus hop-by-hop ones, plus X-Request-Id, traceparent and
   * X-Forwarded-For: edited in place (the incoming map is ours and not needed afterwards).
   */
  private static MultiMap headers(HttpServerRequest request, boolean rpc) {
    MultiMap headers = request.headers();
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (connection != null) {
      for (String token : connection.split(",")) {
        headers.remove(token.trim());
      }
    }
    for (String name : HOP_BY_HOP_LIST) {
      headers.remove(name);
    }
    if (rpc || !headers.contains(HttpHeaders.CONTENT_TYPE)) {
      headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (!headers.contains(X_REQUEST_ID)) {
      headers.set(X_REQUEST_ID, hex(random.nextLong()) + hex(random.nextLong()));
    }
    if (!headers.contains(TRACEPARENT)) {
      headers.set(TRACEPARENT, "00-" + hex(random.nextLong()) + hex(random.nextLong()) + "-" + hex(random.nextLong()) + "-01");
    }
    SocketAddress peer = request.connection().remoteAddress();
    String client = peer == null ? null : peer.hostAddress();
    if (client != null) {
      String forwarded = headers.get(X_FORWARDED_FOR);
      headers.set(X_FORWARDED_FOR, forwarded == null ? client : forwarded + ", " + client);
    }
    return headers;
  }

  private static String hex(long value) {
    String digits = Long.toHexString(value);
    return digits.length() == 16 ? digits : "0".repeat(16 - digits.length()) + digits;
  }

  /**
   * What each event loop keeps: its HTTP client to the instances (connections never hop threads)
   * and the deadlines of its exchanges. Every exchange has the same timeout, so deadlines expire
   * in arrival order: a FIFO queue checked every few milliseconds replaces a timer per request.
   */
  private final class Loop {
    final HttpClient client;
    /** Small entries, emptied when their exchange completes, so a slow call holds no finished ones. */
    final ArrayDeque<Deadline> deadlines = new ArrayDeque<>();

    Loop(Context context) {
      client = vertx.createHttpClient(new HttpClientOptions()
              .setKeepAlive(true)
              .setTcpNoDelay(true)
              .setConnectTimeout((int) settings.connectTimeoutMillis())
              .setName("gateway-upstream"),
          new PoolOptions().setHttp1MaxSize(settings.maxConnectionsPerInstance()).setMaxWaitQueueSize(-1));
      long tick = Math.max(1, Math.min(20, settings.requestTimeoutMillis() / 20));
      context.runOnContext(v -> vertx.setPeriodic(tick, id -> expire()));
    }

    Deadline track(Exchange exchange, long atNanos) {
      Deadline deadline = new Deadline(exchange, atNanos);
      deadlines.addLast(deadline);
      return deadline;
    }

    private void expire() {
      long now = System.nanoTime();
      Deadline head;
      while ((head = deadlines.peekFirst()) != null && (head.exchange == null || now - head.atNanos >= 0)) {
        deadlines.pollFirst();
        Exchange exchange = head.exchange;
        if (exchange != null && !exchange.done) {
          exchange.timedOut();
        }
      }
    }
  }

  private static final class Deadline {
    Exchange exchange;
    final long atNanos;

    Deadline(Exchange exchange, long atNanos) {
      this.exchange = exchange;
      this.atNanos = atNanos;
    }
  }

  private Loop loop() {
    Context context = Vertx.currentContext();
    Loop loop = context.get(LOOP_KEY);
    if (loop == null) {
      loop = new Loop(context);
      context.put(LOOP_KEY, loop);
    }
    return loop;
  }

  /** One proxied call: at most two attempts (the second only after a connection failure), one deadline. */
  private final class Exchange {
    final RoutingContext ctx;
    final ServiceRoute route;
    final PathMapping.Target target;
    final Buffer payload;
    final MultiMap headers;
    final String uri;
    final Loop loop;
    Deadline deadline;
    boolean done;
    HttpClientRequest current;
    Instance currentInstance;

    Exchange(RoutingContext ctx, ServiceRoute route, PathMapping.Target target, Buffer payload, MultiMap headers) {
      this.ctx = ctx;
      this.route = route;
      this.target = target;
      this.payload = payload;
      this.headers = headers;
      this.loop = loop();
      String query = ctx.request().query();
      this.uri = "/" + target.method() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    void start() {
      armTimer();
      send(null, null);
    }

    void armTimer() {
      deadline = loop.track(this, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMillis()));
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
      loop.client.request(options).onComplete(connected -> {
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
      complete();
      HttpServerResponse out = ctx.response();
      if (out.ended() || out.closed()) {
        return;
      }
      out.setStatusCode(response.statusCode());
      if (response.statusMessage() != null) {
        out.setStatusMessage(response.statusMessage());
      }
      MultiMap answer = response.headers();
      String connection = answer.get(HttpHeaders.CONNECTION);
      if (connection != null) {
        for (String token : connection.split(",")) {
          answer.remove(token.trim());
        }
      }
      for (String name : HOP_BY_HOP_LIST) {
        answer.remove(name);
      }
      MultiMap outHeaders = out.headers().addAll(answer);
      if (!outHeaders.contains(X_REQUEST_ID)) {
        outHeaders.set(X_REQUEST_ID, headers.get(X_REQUEST_ID));
      }
      out.end(body);
    }

    private void complete() {
      done = true;
      if (deadline != null) {
        deadline.exchange = null;
      }
    }

    void timedOut() {
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
      complete(); // before the reset, whose failure must not count as a connection failure
      if (current != null) {
        current.reset();
      }
      finish(new RpcException(504, route.name + " did not answer " + target.method() + " within "
          + settings.requestTimeoutMillis() + " ms"));
    }

    private void finish(RpcException error) {
      complete();
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
