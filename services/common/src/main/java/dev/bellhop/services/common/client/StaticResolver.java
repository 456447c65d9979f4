package dev.bellhop.services.common.client;

import io.vertx.core.Future;
import java.util.List;

/** {@code static:host:port[,host:port...]}. */
public final class StaticResolver implements EndpointResolver {
  private final List<Endpoint> endpoints;
  private final Future<List<Endpoint>> resolved;

  public StaticResolver(List<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("a static upstream needs at least one host:port");
    }
    this.endpoints = List.copyOf(endpoints);
    this.resolved = Future.succeededFuture(this.endpoints);
  }

  @Override
  public Future<List<Endpoint>> resolve() {
    return resolved;
  }

  @Override
  public String describe() {
    return "static:" + String.join(",", endpoints.stream().map(Endpoint::toString).toList());
  }
}
