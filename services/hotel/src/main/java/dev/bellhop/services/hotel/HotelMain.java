package dev.bellhop.services.hotel;

import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceLauncher;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The hotel API: {@code Hotel.Rates}, fanning out to auth, geo, profile and rate. */
public final class HotelMain {
  public static final int DEFAULT_PORT = 8085;

  private HotelMain() {}

  public static void main(String[] args) {
    ServiceLauncher.run("hotel", DEFAULT_PORT, HotelMain::start);
  }

  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    Upstreams upstreams;
    try {
      upstreams = Upstreams.fromConfig(vertx, config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ServiceServer server = ServiceServer.create(vertx, config);
    server.method("Hotel.Rates", new RatesHandler(upstreams));
    // No data of its own: ready once listening (upstream health is each upstream's readiness).
    return server
        .start()
        .map(
            s -> {
              server.ready();
              server.whenStopped().onComplete(v -> upstreams.close());
              return server;
            });
  }
}
