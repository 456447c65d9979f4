package dev.bellhop.services.rate;

import dev.bellhop.services.common.data.DataFiles;
import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceLauncher;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The rate service: {@code Rate.GetRates}. */
public final class RateMain {
  public static final int DEFAULT_PORT = 8084;

  private RateMain() {}

  public static void main(String[] args) {
    ServiceLauncher.run("rate", DEFAULT_PORT, RateMain::start);
  }

  /** Listens at once (live, not ready), loads rates, then turns ready. */
  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    return ServiceServer.startLoading(
        vertx,
        config,
        () -> RateTable.parse(DataFiles.read(config, "RATES_FILE", "rates.json")),
        (server, rates) -> server.method("Rate.GetRates", new GetRatesHandler(rates)));
  }
}
