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

  /** Listens at once (live, not ready), loads profiles, then turns ready. */
  public static Future<ServiceServer> start(Vertx vertx, ServiceConfig config) {
    return ServiceServer.startLoading(
        vertx,
        config,
        () -> Profiles.parse(DataFiles.read(config, "PROFILES_FILE", "profiles.json")),
        (server, profiles) ->
            server.method("Profile.GetProfiles", new GetProfilesHandler(profiles)));
  }
}
