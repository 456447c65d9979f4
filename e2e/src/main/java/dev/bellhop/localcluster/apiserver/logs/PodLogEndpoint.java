package dev.bellhop.localcluster.apiserver.logs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiRequest;
import dev.bellhop.localcluster.apiserver.Endpoint;
import dev.bellhop.localcluster.apiserver.Errors;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.StoredObjects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@code GET /api/v1/namespaces/<ns>/pods/<name>/log}: the container's output from the files the
 * simulated kubelet writes, as {@code text/plain}, never from the store. Errors as kube words them:
 * 404 for a missing pod, 400 for a missing or unknown container or a previous run that never was.
 */
public final class PodLogEndpoint implements Endpoint {
  private final StoredObjects stored;

  /** Where a pod's container logs are: (pod, container) to {current, previous}. */
  private final BiFunction<JsonNode, String, Path[]> files;

  private final Clock clock;

  public PodLogEndpoint(
      StoredObjects stored, BiFunction<JsonNode, String, Path[]> files, Clock clock) {
    this.stored = stored;
    this.files = files;
    this.clock = clock;
  }

  @Override
  public Optional<ApiRequest.Response> serve(ApiRequest request) {
    RequestInfo info = request.info();
    if (!info.resourceRequest()
        || !"pods".equals(info.resource())
        || !"log".equals(info.subresource())
        || !info.apiGroup().isEmpty()) {
      return Optional.empty();
    }
    if (!info.verb().equals("get")) {
      throw Errors.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    PodLogOptions options = PodLogOptions.parse(info, clock.instant());
    JsonNode pod =
        stored
            .find("/api/v1/namespaces/" + info.namespace() + "/pods/" + info.name())
            .orElseThrow(() -> Errors.notFound(info, info.name()));
    List<String> containers = new ArrayList<>();
    pod.path("spec").path("containers").forEach(c -> containers.add(c.path("name").asText()));
    String container = options.container();
    if (container == null) {
      if (containers.size() != 1) {
        throw Errors.badRequest(
            "a container name must be specified for pod "
                + info.name()
                + ", choose one of: "
                + containers);
      }
      container = containers.get(0);
    } else if (!containers.contains(container)) {
      throw Errors.badRequest("container " + container + " is not valid for pod " + info.name());
    }
    Path[] paths = files.apply(pod, container);
    Path file = options.previous() ? paths[1] : paths[0];
    // A previous run's log is complete: following it would wait for lines that never come.
    PodLogOptions read =
        options.previous()
            ? new PodLogOptions(
                container,
                false,
                true,
                options.tailLines(),
                options.since(),
                options.timestamps(),
                options.limitBytes())
            : options;
    if (!Files.exists(file)) {
      throw Errors.badRequest(
          options.previous()
              ? "previous terminated container \""
                  + container
                  + "\" in pod \""
                  + info.name()
                  + "\" not found"
              : "container \""
                  + container
                  + "\" in pod \""
                  + info.name()
                  + "\" is waiting to start: ContainerCreating");
    }
    return Optional.of(
        ApiRequest.Response.streamed("text/plain", sink -> PodLogReader.copy(file, read, sink)));
  }
}
