package dev.bellhop.services.common.client;

import io.vertx.core.Future;
import java.util.List;

/** Finds the current instances of one upstream (a static list or a DNS SRV name). */
public interface EndpointResolver {
  Future<List<Endpoint>> resolve();

  /** What this resolver was configured with, for logs and error details. */
  String describe();
}
