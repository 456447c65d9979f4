package dev.bellhop.bench.gateway;

import dev.bellhop.services.common.server.ServiceLauncher;
import dev.bellhop.services.common.server.ServiceServer;
import io.vertx.core.Future;

/**
 * The benchmark's backend: a Bellhop service (the common server stack, like every hotel service)
 * whose {@code Echo.Echo} returns the request. Runs in its own JVM.
 */
public final class EchoBackend {
  private EchoBackend() {}

  public static void main(String[] args) {
    ServiceLauncher.run(
        "echo",
        8090,
        (vertx, config) -> {
          ServiceServer server =
              ServiceServer.create(vertx, config)
                  .method("Echo.Echo", request -> Future.succeededFuture(request.body()));
          return server.start().onSuccess(ServiceServer::ready);
        });
  }
}
