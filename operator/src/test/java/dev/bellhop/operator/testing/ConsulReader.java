package dev.bellhop.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.testkit.consul.TestConsulCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads Consul through its HTTP API, as a user would. */
public final class ConsulReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestConsulCluster consul;

  public ConsulReader(TestConsulCluster consul) {
    this.consul = consul;
  }

  /** Every instance of the service, passing or not, by service ID. */
  public Map<String, Instance> instances(String service) {
    Map<String, Instance> result = new LinkedHashMap<>();
    for (JsonNode entry : json("/v1/health/service/" + service)) {
      JsonNode svc = entry.path("Service");
      String status = "passing";
      long modified = svc.path("ModifyIndex").asLong();
      for (JsonNode check : entry.path("Checks")) {
        modified = Math.max(modified, check.path("ModifyIndex").asLong());
        if (!"passing".equals(check.path("Status").asText())) {
          status = check.path("Status").asText();
        }
      }
      Map<String, String> meta = new LinkedHashMap<>();
      svc.path("Meta").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
      List<String> tags = new ArrayList<>();
      svc.path("Tags").forEach(t -> tags.add(t.asText()));
      result.put(
          svc.path("ID").asText(),
          new Instance(
              svc.path("ID").asText(),
              entry.path("Node").path("Node").asText(),
              svc.path("Address").asText(),
              svc.path("Port").asInt(),
              status,
              tags,
              meta,
              modified));
    }
    return result;
  }

  public JsonNode json(String path) {
    try {
      return JSON.readTree(consul.httpGet(path));
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path + ": " + e.getMessage(), e);
    }
  }

  public void registerForeign(String node, String id, String service, Map<String, String> meta) {
    StringBuilder m = new StringBuilder();
    meta.forEach(
        (k, v) ->
            m.append(m.length() == 0 ? "" : ",")
                .append('"')
                .append(k)
                .append("\":\"")
                .append(v)
                .append('"'));
    consul.httpPut(
        "/v1/catalog/register",
        "{\"Node\":\""
            + node
            + "\",\"Address\":\"127.9.9.9\",\"Service\":{\"ID\":\""
            + id
            + "\",\"Service\":\""
            + service
            + "\",\"Port\":1234,\"Meta\":{"
            + m
            + "}}}");
  }

  /**
   * @param modifyIndex the raft index of the last write to the instance or its checks
   */
  public record Instance(
      String id,
      String node,
      String address,
      int port,
      String status,
      List<String> tags,
      Map<String, String> meta,
      long modifyIndex) {}
}
