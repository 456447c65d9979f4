package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A hook that may answer a get or list in another form than the stored object (a {@code Table} when
 * the Accept header asks {@code as=Table}): given the object or list the front would send, returns
 * what to send instead, or the same node. Views apply in the order added.
 */
@FunctionalInterface
public interface ReadView {
  JsonNode render(ApiRequest request, Discovery.Resource resource, JsonNode body);
}
