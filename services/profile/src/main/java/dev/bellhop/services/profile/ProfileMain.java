package dev.bellhop.services.profile;

import dev.bellhop.services.common.data.DataFiles;
import dev.bellhop.services.common.server.ServiceConfig;
import dev.bellhop.services.common.server.ServiceLauncher;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The profile service: {@code Profile.GetProfiles}. */
public final class ProfileMain {
  public static final int DEFAULT_PORT = 8083;

  private ProfileMain() {}

  public static void main(String[] args) {
    ServiceLauncher.run("profile", DEFAULT_PORT, ProfileMain::start);
  }

  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    ServiceServer server = ServiceServer.create(vertx, config);
    return server
        .start()
        .compose(
            s ->
                vertx.executeBlocking(
                    () -> Profiles.parse(DataFiles.read(config, "PROFILES_FILE", "profiles.json"))))
        .map(
            profiles -> {
              server.method("Profile.GetProfiles", new GetProfilesHandler(profiles)).ready();
              return server;
            });
  }
}
