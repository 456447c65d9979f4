package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * What kube-apiserver checks in a Service's spec that the operator writes: a cluster IP may not
 * change once set (an update that leaves it out keeps the stored one, as kube's Service registry
 * does), and a {@code ClusterIP} Service may not carry node ports, so a NodePort Service switched
 * to ClusterIP must drop them.
 */
public final class ServiceValidation implements AdmissionPlugin {
  @Override
  public void admit(AdmissionRequest request) {
    if (!"Service".equals(request.kind())
        || !"".equals(request.info().apiGroup())
        || request.operation() == Operation.DELETE
        || request.info().subresource() != null) {
      return;
    }
    ObjectNode spec = request.object().with("spec");
    List<Cause> causes = new ArrayList<>();
    String type = spec.path("type").asText("ClusterIP");
    if (request.operation() == Operation.UPDATE && request.oldObject() != null) {
      clusterIp(spec, request.oldObject().path("spec"), type, causes);
    }
    if (type.equals("ClusterIP")) {
      JsonNode ports = spec.path("ports");
      for (int i = 0; i < ports.size(); i++) {
        if (ports.get(i).path("nodePort").asInt(0) != 0) {
          causes.add(
              FieldErrors.forbidden(
                  "spec.ports[" + i + "].nodePort", "may not be used when `type` is 'ClusterIP'"));
        }
      }
    }
    if (!causes.isEmpty()) {
      throw FieldErrors.invalid(request, causes);
    }
  }

  private static void clusterIp(ObjectNode spec, JsonNode old, String type, List<Cause> causes) {
    String oldIp = old.path("clusterIP").asText("");
    if (oldIp.isEmpty()
        || type.equals("ExternalName")
        || "ExternalName".equals(old.path("type").asText(""))) {
      return;
    }
    String newIp = spec.path("clusterIP").asText("");
    if (newIp.isEmpty()) {
      // kube's Service registry keeps the allocated address when an update leaves it out.
      spec.put("clusterIP", oldIp);
      if (old.has("clusterIPs")) {
        spec.set("clusterIPs", old.get("clusterIPs").deepCopy());
      }
      return;
    }
    if (!newIp.equals(oldIp) && !(newIp.equals("None") && oldIp.equals("None"))) {
      causes.add(
          FieldErrors.invalid("spec.clusterIPs[0]", List.of(newIp), "may not change once set"));
    }
  }
}
