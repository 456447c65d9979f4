package dev.bellhop.localcluster.apiserver;

import java.util.Optional;

/**
 * A hook for what the front does not serve itself (OpenAPI documents, pod logs, access reviews):
 * asked in the order added, after authentication and authorization and before the front's own
 * handling; empty passes the request on. Runs on a worker thread; may block; refuses with an {@link
 * ApiError}.
 */
@FunctionalInterface
public interface Endpoint {
  Optional<ApiRequest.Response> serve(ApiRequest request);
}
