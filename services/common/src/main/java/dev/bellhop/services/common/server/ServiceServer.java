package dev.bellhop.services.common.server;

import dev.bellhop.services.common.rpc.RpcErrors;
import dev.bellhop.services.common.rpc.RpcException;
import dev.bellhop.services.common.rpc.RpcHandler;
import dev.bellhop.services.common.rpc.RpcRequest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP bootstrap every Bellhop service (and the gateway) shares: go-micro style {@code POST
 * /{Service}.{Method}} dispatch, JSON errors for every failure, health and Prometheus endpoints,
 * request metrics, and a graceful stop that drains in-flight requests.
 *
 * <p>A server created with a handler of its own for everything but the common endpoints (the
 * gateway) hands those requests to it directly, without Vert.x Web's router: see {@link
 * #create(Vertx, ServiceConfig, String, Handler)}.
 */
public final class ServiceServer {
  private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);

  /** Routing-context key naming the method in metrics. */
  public static final String METHOD_KEY = "rpc.method";

  private static final String RPC_PATH = "^/([A-Za-z][A-Za-z0-9_]*\\.[A-Za-z][A-Za-z0-9_]*)$";

  private final Vertx vertx;
  private final ServiceConfig config;
  private final String errorId;
  private final Router router;
  private final Map<String, RpcHandler> methods = new ConcurrentHashMap<>();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** Per method, its timers by HTTP status: no key to build or hash per request. */
  private final StatusTimers.PerValue timers =
      new StatusTimers.PerValue(
          registry,
          "rpc.server.requests",
          "RPC requests served, by method and HTTP status",
          "method");

  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<String> deployments = new CopyOnWriteArrayList<>();
  private final Promise<Void> stopped = Promise.promise();
  private volatile int actualPort = -1;

  /** Every connection the service port accepts, when a handler asked for them. */
  private volatile Handler<HttpConnection> connections;

  /** The admin listener's port: -1 without one, 0 for any free port until it listens. */
  private volatile int adminPort = -1;

  /** Every request but the common endpoints, when the server was created with one (the gateway). */
  private final Handler<HttpServerRequest> others;

  private ServiceServer(
      Vertx vertx, ServiceConfig config, String errorId, Handler<HttpServerRequest> others) {
    this.vertx = vertx;
    this.config = config;
    this.errorId = errorId;
    this.others = others;
    registry.config().commonTags("service", config.name());
    this.router = Router.router(vertx);
    router.route().handler(this::track);
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router
        .get("/health/ready")
        .handler(
            ctx -> {
              boolean isReady = ready.get() && !stopping.get();
              json(
                  ctx,
                  isReady ? 200 : 503,
                  new JsonObject().put("status", isReady ? "READY" : "NOT_READY"));
            });
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape()));
    // Three routes, because Vert.x Web wants a body handler first on its route; the checks
    // run synchronously before the body is read, so nothing is lost and bad calls fail fast.
    router.routeWithRegex(RPC_PATH).handler(this::precheck);
    router
        .routeWithRegex(RPC_PATH)
        .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    router.routeWithRegex(RPC_PATH).handler(this::dispatch);
    router
        .route()
        .handler(
            ctx -> fail(ctx, RpcException.notFound("no such method: " + ctx.request().path())));
    router.route().failureHandler(this::failure);
  }

  /** A server for the go-micro style id {@code go.micro.srv.<name>}. */
  public static ServiceServer create(Vertx vertx, ServiceConfig config) {
    return new ServiceServer(vertx, config, "go.micro.srv." + config.name(), null);
  }

  /**
   * Starts a service whose methods serve data it loads at startup (auth, geo, profile, rate). It
   * listens at once, live but not ready, so that the liveness probe passes while the data loads and
   * readiness keeps callers away; it loads the data with {@code load} on a worker, since reading
   * and parsing a file would block the event loop; then {@code registerMethods} registers the
   * methods over the data and the server turns ready. The future fails if it cannot listen or the
   * data cannot be loaded.
   */
  public static <T> Future<ServiceServer> startLoading(
      Vertx vertx,
      ServiceConfig config,
      Callable<T> load,
      BiConsumer<ServiceServer, T> registerMethods) {
    ServiceServer server = create(vertx, config);
    return server
        .start()
        .compose(s -> vertx.executeBlocking(load))
        .map(
            data -> {
              registerMethods.accept(server, data);
              server.ready();
              return server;
            });
  }

  /**
   * A server that answers the common endpoints ({@code GET /health/live}, {@code /health/ready},
   * {@code /metrics}) and hands every other request to {@code others} directly, without Vert.x
   * Web's router on its path (the gateway, whose every request is a proxied call). {@code others}
   * must call {@link #requestStarted} as it takes a request and {@link #requestEnded} exactly once
   * when that request's response ended or its connection closed, so that a graceful stop drains it;
   * it answers errors with {@link #sendError}. Its requests are not timed by {@code
   * rpc_server_requests}: such a handler keeps metrics of its own.
   */
  public static ServiceServer create(
      Vertx vertx, ServiceConfig config, String errorId, Handler<HttpServerRequest> others) {
    return new ServiceServer(vertx, config, errorId, others);
  }

  /**
   * Serves the common endpoints (health, metrics) on a listener of their own on {@code port} (0:
   * any free port), and no longer on the service port: the gateway's service port is public (the
   * Ingress routes to it), its probes and metrics are not. Only for a server created with a handler
   * of its own, which then gets every request of the service port; call before {@link #start()}.
   */
  public ServiceServer adminOn(int port) {
    if (others == null) {
      throw new IllegalStateException("an admin port needs a server with a handler of its own");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin port out of range: " + port);
    }
    adminPort = port;
    return this;
  }

  /**
   * {@code handler} sees every connection the service port accepts (on its event loop), before its
   * first request: the gateway bounds how long a caller may take. Call before {@link #start()}.
   */
  public ServiceServer onConnection(Handler<HttpConnection> handler) {
    this.connections = handler;
    return this;
  }

  /** Registers a method; may be called after start (requests before {@link #ready()} get 503). */
  public ServiceServer method(String name, RpcHandler handler) {
    methods.put(name, handler);
    return this;
  }

  public void ready() {
    ready.set(true);
    log.atInfo().addKeyValue("port", actualPort).log("ready");
  }

  public boolean isReady() {
    return ready.get() && !stopping.get();
  }

  public int port() {
    return actualPort;
  }

  /** The port health and metrics are served on: {@link #port()} unless {@link #adminOn}. */
  public int adminPort() {
    return adminPort < 0 ? actualPort : adminPort;
  }

  public String errorId() {
    return errorId;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Completes when {@link #stop()} has finished. */
  public Future<Void> whenStopped() {
    return stopped.future();
  }

  /**
   * Listens with one HTTP server per event loop on the same port (EVENT_LOOPS, default the core
   * count up to 4), so that a multi-core machine spreads connections.
   */
  public Future<ServiceServer> start() {
    List<Future<Integer>> all = new ArrayList<>();
    // Vert.x shares a listening port between instances only when each asks for the same port;
    // with PORT=0 every instance would get its own, so a random port gets a single listener.
    int instances = config.port() == 0 ? 1 : config.eventLoops();
    for (int i = 0; i < instances; i++) {
      all.add(listenOne(config.port(), false));
    }
    // Probes and scrapes are a few a second: one listener is plenty.
    Future<Integer> admin = adminPort < 0 ? Future.succeededFuture(-1) : listenOne(adminPort, true);
    return Future.all(Future.all(all), admin)
        .map(
            v -> {
              actualPort = all.get(0).result();
              if (adminPort >= 0) {
                adminPort = admin.result();
              }
              log.atInfo()
                  .addKeyValue("bind", config.bindAddress())
                  .addKeyValue("port", actualPort)
                  .addKeyValue("adminPort", adminPort())
                  .addKeyValue("listeners", all.size())
                  .log("listening");
              return this;
            });
  }

  /**
   * One listener: the service port's (the router, or the handler of the server's own), or the admin
   * port's (the router, for the common endpoints). While stopping, the service port closes new
   * connections; the admin port keeps answering, so that readiness reads 503.
   */
  private Future<Integer> listenOne(int port, boolean admin) {
    Promise<Integer> listening = Promise.promise();
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.bindAddress())
            .setPort(port)
            .setCompressionSupported(false)
            // Watching for an h2c upgrade, Vert.x shows a connection only once its first request's
            // head is complete: a handler of connections would miss a head sent slowly. No Bellhop
            // client speaks h2c.
            .setHttp2ClearTextEnabled(admin || connections == null);
    vertx
        .deployVerticle(
            new AbstractVerticle() {
              @Override
              public void start(Promise<Void> started) {
                vertx
                    .createHttpServer(options)
                    .connectionHandler(
                        connection -> {
                          if (admin) {
                            return;
                          }
                          if (stopping.get()) {
                            connection.close(); // stopped accepting: the client retries elsewhere
                          } else if (connections != null) {
                            connections.handle(connection);
                          }
                        })
                    .requestHandler(
                        admin || others == null ? router : ServiceServer.this::dispatchRequest)
                    .listen()
                    .onSuccess(
                        server -> {
                          listening.complete(server.actualPort());
                          started.complete();
                        })
                    .onFailure(
                        err -> {
                          listening.tryFail(err);
                          started.fail(err);
                        });
              }
            })
        .onSuccess(deployments::add)
        .onFailure(listening::tryFail);
    return listening.future();
  }

  /**
   * Graceful stop: readiness turns 503 at once, new connections are closed as soon as they are
   * accepted, requests in flight finish (bounded by DRAIN_TIMEOUT_MS), then the listeners close.
   * (Closing a Vert.x 4 HttpServer also cuts its open connections, hence the drain first.)
   */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return stopped.future();
    }
    log.atInfo()
        .addKeyValue("inFlight", inFlight.get())
        .log("stopping: draining in-flight requests");
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    Promise<Void> drained = Promise.promise();
    awaitDrained(deadline, drained);
    drained
        .future()
        .compose(v -> Future.all(deployments.stream().map(vertx::undeploy).toList()))
        .onComplete(
            ar -> {
              log.atInfo().addKeyValue("inFlight", inFlight.get()).log("stopped");
              stopped.tryComplete();
            });
    return stopped.future();
  }

  private void awaitDrained(long deadline, Promise<Void> drained) {
    if (inFlight.get() == 0 || System.nanoTime() >= deadline) {
      if (inFlight.get() > 0) {
        log.atWarn()
            .addKeyValue("inFlight", inFlight.get())
            .log("drain timeout: closing with requests in flight");
      }
      drained.complete();
      return;
    }
    vertx.setTimer(20, id -> awaitDrained(deadline, drained));
  }

  /** Stops gracefully on SIGTERM/SIGINT (the JVM runs shutdown hooks for both). */
  public ServiceServer stopOnShutdown() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stop()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(config.drainTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                  } catch (Exception e) {
                    log.atWarn().setCause(e).log("graceful stop did not complete");
                  }
                  vertx
                      .close()
                      .toCompletionStage()
                      .toCompletableFuture()
                      .orTimeout(5, TimeUnit.SECONDS)
                      .exceptionally(e -> null)
                      .join();
                },
                config.name() + "-shutdown"));
    return this;
  }

  private void track(RoutingContext ctx) {
    if (stopping.get()) {
      // Keep-alive clients would otherwise keep sending to a stopping instance.
      ctx.response().putHeader("connection", "close");
    }
    inFlight.incrementAndGet();
    long start = System.nanoTime();
    ctx.addEndHandler(
        ar -> {
          inFlight.decrementAndGet();
          String method = ctx.get(METHOD_KEY, "other");
          timers.of(method).record(ctx.response().getStatusCode(), System.nanoTime() - start);
          if (log.isDebugEnabled()) {
            log.atDebug()
                .addKeyValue("path", ctx.request().path())
                .addKeyValue("status", ctx.response().getStatusCode())
                .addKeyValue("micros", (System.nanoTime() - start) / 1000)
                .log("request");
          }
        });
    ctx.next();
  }

  /**
   * With a handler for the other requests: the common endpoints to the router (unless they have a
   * port of their own), the rest to it.
   */
  private void dispatchRequest(HttpServerRequest request) {
    if (adminPort < 0 && request.method() == HttpMethod.GET && isCommonEndpoint(request.path())) {
      router.handle(request);
    } else {
      others.handle(request);
    }
  }

  private static boolean isCommonEndpoint(String path) {
    path = RequestChecks.routedPath(path);
    if (path == null) {
      return false;
    }
    return path.equals("/health/live") || path.equals("/health/ready") || path.equals("/metrics");
  }

  /**
   * A request taken by the handler of {@link #create(Vertx, ServiceConfig, String, Handler)}: in
   * flight until {@link #requestEnded}.
   */
  public void requestStarted(HttpServerResponse response) {
    if (stopping.get()) {
      // Keep-alive clients would otherwise keep sending to a stopping instance.
      response.putHeader("connection", "close");
    }
    inFlight.incrementAndGet();
  }

  /**
   * The response of a request counted by {@link #requestStarted} ended, or its connection closed.
   */
  public void requestEnded() {
    inFlight.decrementAndGet();
  }

  /**
   * Answers with this server's JSON error: an {@link RpcException}'s code and detail, anything else
   * a 500 (logged). Nothing happens if the response already ended or its connection closed.
   */
  public void sendError(HttpServerResponse response, Throwable cause) {
    sendError(response, cause, null);
  }

  private void sendError(HttpServerResponse response, Throwable cause, String path) {
    if (response.ended() || response.closed()) {
      return;
    }
    RpcException error;
    if (cause instanceof RpcException rpc) {
      error = rpc;
    } else {
      log.atError().setCause(cause).addKeyValue("path", path).log("unexpected failure");
      error = new RpcException(500, "internal error");
    }
    response
        .setStatusCode(error.code())
        .putHeader("content-type", "application/json")
        .end(RpcErrors.body(errorId, error.code(), error.detail()).toBuffer());
  }

  private void precheck(RoutingContext ctx) {
    String method = ctx.pathParam("param0");
    RpcHandler handler = methods.get(method);
    if (handler == null) {
      fail(ctx, RpcException.notFound("no such method: " + method));
      return;
    }
    ctx.put(METHOD_KEY, method);
    RpcException notPost = RequestChecks.postOnly(ctx.request(), method + " takes POST");
    if (notPost != null) {
      fail(ctx, notPost);
      return;
    }
    if (!ready.get()) {
      fail(ctx, RpcException.unavailable(config.name() + " is not ready"));
      return;
    }
    String type = ctx.request().getHeader("content-type");
    if (type == null || !RequestChecks.isJson(type)) {
      fail(ctx, new RpcException(415, "Content-Type must be application/json"));
      return;
    }
    ctx.next();
  }

  private void dispatch(RoutingContext ctx) {
    String method = ctx.get(METHOD_KEY);
    JsonObject body;
    try {
      var buffer = ctx.body().buffer();
      if (buffer == null || buffer.length() == 0) {
        throw RpcException.badRequest("request body must be a JSON object");
      }
      Object parsed = RequestChecks.parseJson(buffer, "malformed JSON");
      if (!(parsed instanceof JsonObject object)) {
        throw RpcException.badRequest("request body must be a JSON object");
      }
      body = object;
    } catch (RpcException e) {
      fail(ctx, e);
      return;
    }
    Future<JsonObject> result;
    try {
      result = methods.get(method).handle(new RpcRequest(method, body, ctx.request().headers()));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(
        ar -> {
          if (ctx.response().ended() || ctx.response().closed()) {
            return;
          }
          if (ar.succeeded()) {
            json(ctx, 200, ar.result() == null ? new JsonObject() : ar.result());
          } else {
            fail(ctx, ar.cause());
          }
        });
  }

  private void failure(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    Throwable cause = ctx.failure();
    if (cause != null) {
      fail(ctx, cause);
    } else if (ctx.statusCode() == 413) {
      fail(ctx, RequestChecks.bodyTooLarge(config.maxBodyBytes()));
    } else {
      int code = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
      fail(ctx, new RpcException(code, code >= 500 ? "internal error" : "bad request"));
    }
  }

  private void fail(RoutingContext ctx, Throwable cause) {
    sendError(ctx.response(), cause, ctx.request().path());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body.toBuffer());
  }
}
