package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The names inside specs that kube's registries validate and the operator writes: container and
 * volume names (DNS-1123 labels, unique), container port names (IANA service names) and numbers,
 * Service port names (DNS-1123 labels, required when there are several) and numbers.
 */
public final class FieldNameValidation implements AdmissionPlugin {
  @Override
  public void admit(AdmissionRequest request) {
    if (request.operation() == Operation.DELETE || request.info().subresource() != null) {
      return;
    }
    List<Cause> causes = new ArrayList<>();
    PodSpecs.of(request.kind(), request.object()).ifPresent(pod -> podSpec(pod, causes));
    if ("Service".equals(request.kind()) && "".equals(request.info().apiGroup())) {
      servicePorts(request.object().path("spec").path("ports"), causes);
    }
    if (!causes.isEmpty()) {
      throw FieldErrors.invalid(request, causes);
    }
  }

  private static void podSpec(PodSpecs.Found pod, List<Cause> causes) {
    Set<String> names = new HashSet<>();
    for (PodSpecs.Container c : PodSpecs.containers(pod)) {
      String name = c.name();
      if (name.isEmpty()) {
        causes.add(FieldErrors.required(c.path() + ".name", ""));
      } else {
        Names.dns1123Label(name)
            .forEach(m -> causes.add(FieldErrors.invalid(c.path() + ".name", name, m)));
        if (!names.add(name)) {
          causes.add(
              new Cause(
                  "FieldValueDuplicate",
                  c.path() + ".name",
                  "Duplicate value: " + FieldErrors.render(name)));
        }
      }
      JsonNode ports = c.container().path("ports");
      for (int i = 0; i < ports.size(); i++) {
        String path = c.path() + ".ports[" + i + "]";
        JsonNode port = ports.get(i);
        if (port.hasNonNull("name")) {
          String portName = port.get("name").asText();
          Names.portName(portName)
              .forEach(m -> causes.add(FieldErrors.invalid(path + ".name", portName, m)));
        }
        int number = port.path("containerPort").asInt(0);
        if (number < 1 || number > 65535) {
          causes.add(
              FieldErrors.invalid(
                  path + ".containerPort", number, "must be between 1 and 65535, inclusive"));
        }
        int host = port.path("hostPort").asInt(0);
        if (host < 0 || host > 65535) {
          causes.add(
              FieldErrors.invalid(
                  path + ".hostPort", host, "must be between 1 and 65535, inclusive"));
        }
      }
    }
    JsonNode volumes = pod.spec().path("volumes");
    Set<String> volumeNames = new HashSet<>();
    for (int i = 0; i < volumes.size(); i++) {
      String path = pod.path() + ".volumes[" + i + "].name";
      String name = volumes.get(i).path("name").asText("");
      if (name.isEmpty()) {
        causes.add(FieldErrors.required(path, ""));
        continue;
      }
      Names.dns1123Label(name).forEach(m -> causes.add(FieldErrors.invalid(path, name, m)));
      if (!volumeNames.add(name)) {
        causes.add(
            new Cause("FieldValueDuplicate", path, "Duplicate value: " + FieldErrors.render(name)));
      }
    }
  }

  private static void servicePorts(JsonNode ports, List<Cause> causes) {
    boolean several = ports.size() > 1;
    for (int i = 0; i < ports.size(); i++) {
      String path = "spec.ports[" + i + "]";
      JsonNode port = ports.get(i);
      String name = port.path("name").asText("");
      if (name.isEmpty()) {
        if (several) {
          causes.add(FieldErrors.required(path + ".name", ""));
        }
      } else {
        Names.dns1123Label(name)
            .forEach(m -> causes.add(FieldErrors.invalid(path + ".name", name, m)));
      }
      int number = port.path("port").asInt(0);
      if (number < 1 || number > 65535) {
        causes.add(
            FieldErrors.invalid(path + ".port", number, "must be between 1 and 65535, inclusive"));
      }
      JsonNode target = port.path("targetPort");
      if (target.isTextual()) {
        String targetName = target.asText();
        Names.portName(targetName)
            .forEach(m -> causes.add(FieldErrors.invalid(path + ".targetPort", targetName, m)));
      }
    }
  }
}
