package dev.bellhop.services.geo;

import dev.bellhop.services.common.data.DataFiles;
import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceLauncher;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.LoggerFactory;

/** The geo service: {@code Geo.Nearby} over a spatial index of hotel locations. */
public final class GeoMain {
  public static final int DEFAULT_PORT = 8082;

  private GeoMain() {}

  public static void main(String[] args) {
    ServiceLauncher.run("geo", DEFAULT_PORT, GeoMain::start);
  }

  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    ServiceServer server = ServiceServer.create(vertx, config);
    return server
        .start()
        .compose(
            s ->
                vertx.executeBlocking(
                    () ->
                        GeoIndex.build(
                            Locations.parse(
                                DataFiles.read(config, "LOCATIONS_FILE", "locations.json")))))
        .map(
            index -> {
              LoggerFactory.getLogger(GeoMain.class)
                  .atInfo()
                  .addKeyValue("points", index.size())
                  .addKeyValue(
                      "source", DataFiles.source(config, "LOCATIONS_FILE", "locations.json"))
                  .log("index built");
              server.method("Geo.Nearby", new NearbyHandler(index)).ready();
              return server;
            });
  }
}
