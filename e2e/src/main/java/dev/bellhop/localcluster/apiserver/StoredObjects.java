package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * What the API server stores, read as it is, for the hooks that answer from it (OpenAPI documents,
 * Tables, pod logs): no chain, no checks. Paths are the API's ({@code
 * /api/v1/namespaces/ns/pods/x}).
 */
public interface StoredObjects {
  Optional<JsonNode> find(String path);

  /** The items of a collection path; empty when there are none. */
  List<JsonNode> items(String path);
}
