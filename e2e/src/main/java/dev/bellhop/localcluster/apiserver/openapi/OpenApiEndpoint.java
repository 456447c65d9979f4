package dev.bellhop.localcluster.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiRequest;
import dev.bellhop.localcluster.apiserver.Discovery;
import dev.bellhop.localcluster.apiserver.Endpoint;
import dev.bellhop.localcluster.apiserver.Errors;
import dev.bellhop.localcluster.apiserver.StoredObjects;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /openapi/v3} and {@code /openapi/v3/<group version path>}, built from what is served
 * now (CRDs included, read from the store at each request: a document is never stale). Anything
 * else under {@code /openapi/} (v2 among it) is left to the front's 404.
 */
public final class OpenApiEndpoint implements Endpoint {
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final OpenApiV3 documents;
  private final Discovery discovery;
  private final StoredObjects stored;

  public OpenApiEndpoint(String gitVersion, Discovery discovery, StoredObjects stored) {
    this.documents = new OpenApiV3(gitVersion);
    this.discovery = discovery;
    this.stored = stored;
  }

  @Override
  public Optional<ApiRequest.Response> serve(ApiRequest request) {
    String path = request.info().path();
    if (request.info().resourceRequest() || !path.startsWith("/openapi/v3")) {
      return Optional.empty();
    }
    if (!request.info().verb().equals("get")) {
      throw Errors.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    List<JsonNode> crds = stored.items(CRDS);
    if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
      return Optional.of(new ApiRequest.Response(200, documents.root(discovery.resources(), crds)));
    }
    return Optional.of(
        documents
            .document(path, discovery.resources(), crds)
            .map(doc -> new ApiRequest.Response(200, doc))
            .orElseThrow(() -> Errors.pathNotFound(path)));
  }
}
