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

  /** Listens at once (live, not ready), builds the index off the event loop, then turns ready. */
  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    return ServiceServer.startLoading(
        vertx,
        config,
        () ->
            GeoIndex.build(
                Locations.parse(DataFiles.read(config, "LOCATIONS_FILE", "locations.json"))),
        (server, index) -> {
          LoggerFactory.getLogger(GeoMain.class)
              .atInfo()
              .addKeyValue("points", index.size())
              .addKeyValue("source", DataFiles.source(config, "LOCATIONS_FILE", "locations.json"))
              .log("index built");
          server.method("Geo.Nearby", new NearbyHandler(index));
        });
  }
}
