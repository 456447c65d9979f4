package dev.bellhop.services.gateway;

import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.server.ServiceServer;
import io.netty.util.AsciiString;
import io.vertx.core.Context;
import io.vertx.core.Handler;
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
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /[service]/[method]} and {@code POST /rpc}: finds the service's instances in the
 * routing table, forwards the body and headers to one of them as {@code POST /Service.Method},
 * and hands back its status, headers and body unchanged.
 *
 * <p>The common server hands every request but its health and metrics endpoints straight to this
 * handler, without Vert.x Web's router: one {@link Exchange} object carries a call from its first
 * byte to its metrics. Every request is handled on the event loop that accepted it, with an HTTP
 * client of that event loop (so upstream connections never hop threads). A connection failure is
 * retried once on another instance; {@code GATEWAY_TIMEOUT_MS} bounds the whole exchange (504).
 */
final class ProxyHandler implements Handler<HttpServerRequest> {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProxyHandler.class);
  private static final String LOOP_KEY = "bellhop.gateway.loop";
  /** RFC 7230 §6.1 hop-by-hop headers, plus the ones the proxy recomputes; hashed once. */
  private static final List<AsciiString> HOP_BY_HOP = List.of(
      AsciiString.cached("connection"), AsciiString.cached("keep-alive"), AsciiString.cached("proxy-authenticate"),
      AsciiString.cached("proxy-authorization"), AsciiString.cached("proxy-connection"), AsciiString.cached("te"),
      AsciiString.cached("trailer"), AsciiString.cached("transfer-encoding"), AsciiString.cached("upgrade"),
      AsciiString.cached("host"), AsciiString.cached("content-length"), AsciiString.cached("expect"));
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  private static final CharSequence ALLOW = HttpHeaders.createOptimized("allow");
  private static final CharSequence POST = HttpHeaders.createOptimized("POST");
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** Mapped paths, so a hot path is parsed once; bounded, as clients choose the paths. */
  private static final int MAX_CACHED_TARGETS = 4096;

  private final Vertx vertx;
  private final GatewaySettings settings;
  private final Map<String, PathMapping.Target> targets = new ConcurrentHashMap<>();
  // Bound once the server (which owns the meter registry) exists, before it listens.
  private volatile ServiceServer server;
  private volatile RoutingTable table;
  private volatile GatewayMetrics metrics;
  private volatile GatewayMetrics.Requests unknown;

  ProxyHandler(Vertx vertx, GatewaySettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  void bind(ServiceServer server, RoutingTable table, GatewayMetrics metrics) {
    this.server = server;
    this.table = table;
    this.metrics = metrics;
    this.unknown = metrics.requests(GatewayMetrics.UNKNOWN);
  }

  /** Every request but the common health and metrics endpoints comes here. */
  @Override
  public void handle(HttpServerRequest request) {
    new Exchange(request).precheck();
  }

  /** The (normalized, as Vert.x Web would) path's target; {@code null} when it names none. */
  private PathMapping.Target target(String path) {
    PathMapping.Target target = targets.get(path);
    if (target == null) {
      target = PathMapping.map(path);
      if (target != null && targets.size() < MAX_CACHED_TARGETS) {
        targets.put(path, target);
      }
    }
    return target;
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

  /** Removes the hop-by-hop headers, and those the {@code Connection} header names. */
  private static void dropHopByHop(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (connection != null) {
      for (String token : connection.split(",")) {
        headers.remove(token.trim());
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      headers.remove(name);
    }
  }

  /** 32 random hex digits (an X-Request-Id). */
  private static AsciiString requestId(ThreadLocalRandom random) {
    byte[] id = new byte[32];
    hex(random.nextLong(), id, 0);
    hex(random.nextLong(), id, 16);
    return new AsciiString(id, false);
  }

  /** A W3C traceparent, {@code 00-<trace id>-<parent id>-01}, with random ids. */
  private static AsciiString traceparent(ThreadLocalRandom random) {
    byte[] value = new byte[55];
    value[0] = '0';
    value[1] = '0';
    value[2] = '-';
    hex(random.nextLong(), value, 3);
    hex(random.nextLong(), value, 19);
    value[35] = '-';
    hex(random.nextLong(), value, 36);
    value[52] = '-';
    value[53] = '0';
    value[54] = '1';
    return new AsciiString(value, false);
  }

  /** The 16 hex digits of {@code value} into {@code out} at {@code at}. */
  private static void hex(long value, byte[] out, int at) {
    for (int i = at + 15; i >= at; i--) {
      out[i] = HEX[(int) value & 0xf];
      value >>>= 4;
    }
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

  /**
   * One call, from the request's head to its metrics: checks, body, at most two attempts (the second
   * only after a connection failure), one deadline. Its response's end handler (called once, when the
   * response ended or the connection closed) records the call.
   */
  private final class Exchange implements Handler<Void> {
    final HttpServerRequest request;
    final HttpServerResponse response;
    final long startNanos = System.nanoTime();
    final Loop loop;
    GatewayMetrics.Requests requests = unknown;
    /** Close the connection once answered (a body left unread). */
    boolean closeAfter;
    // The body as it arrives.
    Buffer body;
    boolean bodyGrown;
    boolean bodyFailed;
    // Set when the call is sent.
    ServiceRoute route;
    PathMapping.Target target;
    Buffer payload;
    MultiMap headers;
    CharSequence requestId;
    String uri;
    Deadline deadline;
    boolean done;
    HttpClientRequest current;
    Instance currentInstance;

    Exchange(HttpServerRequest request) {
      this.request = request;
      this.response = request.response();
      this.loop = loop();
      server.requestStarted(response);
      response.endHandler(this);
    }

    /** The response ended or the connection closed: exactly once per call. */
    @Override
    public void handle(Void ended) {
      requests.record(response.getStatusCode(), System.nanoTime() - startNanos);
      server.requestEnded();
      if (closeAfter) {
        request.connection().close();
      }
    }

    /** Before the body is read: method, declared size, and (path style) the route, so bad calls fail fast. */
    void precheck() {
      if (request.method() != HttpMethod.POST) {
        response.putHeader(ALLOW, POST);
        reject(new RpcException(405, request.method().name() + " not allowed: the gateway takes POST"));
        return;
      }
      String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null) {
        long declared;
        try {
          declared = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
          reject(RpcException.badRequest("bad Content-Length: " + length));
          return;
        }
        if (declared > settings.maxBodyBytes()) {
          tooLarge(); // the body stays unread, which makes the connection unusable: closed after the answer
          return;
        }
      }
      String path = request.path();
      if (path != null && (path.indexOf('%') >= 0 || path.indexOf('.') >= 0 || path.indexOf("//") >= 0)) {
        path = HttpUtils.normalizePath(path); // as Vert.x Web normalizes it
      }
      if (path == null) {
        reject(RpcException.notFound("no route for " + request.uri() + ": expected /[service]/[method] or /rpc"));
        return;
      }
      if (!path.equals("/rpc")) {
        target = target(path);
        if (target == null) {
          reject(RpcException.notFound("no route for " + path + ": expected /[service]/[method] or /rpc"));
          return;
        }
        try {
          table.route(target.service());
        } catch (RpcException e) {
          reject(e);
          return;
        }
      }
      if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
        response.writeContinue();
      }
      readBody();
    }

    private void tooLarge() {
      response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      closeAfter = true;
      reject(new RpcException(413, "request body larger than " + settings.maxBodyBytes() + " bytes"));
    }

    /** Fails a call before it was sent (any body still arriving is dropped: no handler takes it). */
    private void reject(RpcException error) {
      server.sendError(response, error);
    }

    /**
     * Reads the body (at most MAX_BODY_BYTES, also when chunked), then proxies. Most bodies come in
     * one piece, kept as it is.
     */
    private void readBody() {
      if (request.isEnded()) {
        proxy(Buffer.buffer());
        return;
      }
      request.handler(chunk -> {
        if (bodyFailed) {
          return;
        }
        int size = (body == null ? 0 : body.length()) + chunk.length();
        if (size > settings.maxBodyBytes()) {
          bodyFailed = true;
          tooLarge();
          return;
        }
        if (body == null) {
          body = chunk;
        } else if (!bodyGrown) {
          body = Buffer.buffer(Math.max(size, 4096)).appendBuffer(body).appendBuffer(chunk);
          bodyGrown = true;
        } else {
          body.appendBuffer(chunk);
        }
      });
      request.exceptionHandler(e -> bodyFailed = true); // the connection broke: nothing to answer
      request.endHandler(v -> {
        if (!bodyFailed) {
          proxy(body == null ? Buffer.buffer() : body);
        }
      });
    }

    private void proxy(Buffer body) {
      boolean rpc = target == null;
      payload = body;
      if (rpc) {
        try {
          RpcCall call = parseRpc(body);
          target = call.target;
          payload = call.request;
        } catch (RpcException e) {
          reject(e);
          return;
        }
      }
      try {
        route = table.route(target.service());
      } catch (RpcException e) {
        reject(e);
        return;
      }
      requests = route.requests;
      route.touch(startNanos);
      headers = forwardedHeaders(rpc);
      String query = request.query();
      uri = "/" + target.method() + (query == null || query.isEmpty() ? "" : "?" + query);
      if (route.isLoaded()) {
        start();
      } else {
        // First request for this service: wait for Consul's first answer (bounded by the timeout).
        Context here = Vertx.currentContext();
        armTimer();
        route.whenLoaded().onComplete(ar -> here.runOnContext(v -> send(null, null)));
      }
    }

    /**
     * The request's headers minus hop-by-hop ones, plus X-Request-Id, traceparent and
     * X-Forwarded-For: edited in place (the incoming map is ours and not needed afterwards).
     */
    private MultiMap forwardedHeaders(boolean rpc) {
      MultiMap headers = request.headers();
      dropHopByHop(headers);
      if (rpc || !headers.contains(HttpHeaders.CONTENT_TYPE)) {
        headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      requestId = headers.get(X_REQUEST_ID);
      if (requestId == null) {
        requestId = requestId(random);
        headers.set(X_REQUEST_ID, requestId);
      }
      if (!headers.contains(TRACEPARENT)) {
        headers.set(TRACEPARENT, traceparent(random));
      }
      SocketAddress peer = request.connection().remoteAddress();
      String client = peer == null ? null : peer.hostAddress();
      if (client != null) {
        String forwarded = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, forwarded == null ? client : forwarded + ", " + client);
      }
      return headers;
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

    private void respond(HttpClientResponse answer, Buffer body) {
      complete();
      HttpServerResponse out = response;
      if (out.ended() || out.closed()) {
        return;
      }
      out.setStatusCode(answer.statusCode());
      String message = answer.statusMessage();
      if (message != null && !message.equals(out.getStatusMessage())) {
        out.setStatusMessage(message);
      }
      MultiMap headers = answer.headers();
      dropHopByHop(headers);
      MultiMap outHeaders = out.headers().addAll(headers);
      if (!outHeaders.contains(X_REQUEST_ID)) {
        outHeaders.set(X_REQUEST_ID, requestId);
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
      server.sendError(response, error);
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
