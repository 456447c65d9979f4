package dev.bellhop.services.auth;

import dev.bellhop.services.common.data.DataFiles;
import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceLauncher;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The auth service: {@code Auth.Login} and {@code Auth.VerifyToken}. */
public final class AuthMain {
  public static final int DEFAULT_PORT = 8081;

  private AuthMain() {}

  public static void main(String[] args) {
    ServiceLauncher.run("auth", DEFAULT_PORT, AuthMain::start);
  }

  /** Listens at once (live, not ready), loads customers, then turns ready. */
  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    Tokens tokens = Tokens.fromConfig(config);
    return ServiceServer.startLoading(
        vertx,
        config,
        () -> Customers.parse(DataFiles.read(config, "CUSTOMERS_FILE", "customers.json")),
        (server, customers) ->
            server
                .method("Auth.Login", new LoginHandler(vertx, customers, tokens))
                .method("Auth.VerifyToken", new VerifyTokenHandler(customers, tokens)));
  }
}
