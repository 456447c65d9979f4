package dev.bellhop.services.common.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared {@code main}: start the service, stop it gracefully on SIGTERM, exit 1 if it cannot
 * start.
 */
public final class ServiceLauncher {
  private ServiceLauncher() {}

  public static void run(
      String name,
      int defaultPort,
      BiFunction<Vertx, ServiceConfig, Future<ServiceServer>> starter) {
    run(name, defaultPort, new VertxOptions().setPreferNativeTransport(true), starter);
  }

  /**
   * The same with Vert.x options of the service's own (the gateway prefers Netty's native epoll
   * transport when its jar is on the classpath).
   */
  public static void run(
      String name,
      int defaultPort,
      VertxOptions options,
      BiFunction<Vertx, ServiceConfig, Future<ServiceServer>> starter) {
    System.setProperty("bellhop.service", name); // read by the log pattern
    Logger log = LoggerFactory.getLogger(ServiceLauncher.class);
    ServiceConfig config;
    try {
      config = ServiceConfig.fromEnv(name, defaultPort);
    } catch (IllegalArgumentException e) {
      log.atError().addKeyValue("error", e.getMessage()).log("bad configuration");
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx(options);
    log.atInfo().addKeyValue("nativeTransport", vertx.isNativeTransportEnabled()).log("starting");
    Future<ServiceServer> started;
    try {
      started = starter.apply(vertx, config);
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    started
        .onSuccess(ServiceServer::stopOnShutdown)
        .onFailure(
            e -> {
              log.atError().setCause(e).log("cannot start");
              System.exit(1);
            });
  }
}
