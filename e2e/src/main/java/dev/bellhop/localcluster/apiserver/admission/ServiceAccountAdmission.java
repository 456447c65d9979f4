package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/**
 * kube's {@code ServiceAccount} admission plugin, for pods being created: no ServiceAccount named
 * means {@code default}; a ServiceAccount that does not exist refuses the pod (403, kube's
 * message); unless {@code automountServiceAccountToken: false} on the pod (or else on its
 * ServiceAccount), a projected volume {@code kube-api-access-*} (a bound token, 3607 s, and the
 * namespace) is added and mounted at {@link #MOUNT_PATH} in every container, as kube-apiserver does
 * it.
 */
public final class ServiceAccountAdmission implements AdmissionPlugin {
  public static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A ServiceAccount by namespace and name, as it is now. */
  @FunctionalInterface
  public interface ServiceAccounts {
    Optional<ServiceAccount> find(String namespace, String name);
  }

  private final ServiceAccounts serviceAccounts;

  public ServiceAccountAdmission(ServiceAccounts serviceAccounts) {
    this.serviceAccounts = serviceAccounts;
  }

  @Override
  public void admit(AdmissionRequest request) {
    if (!"Pod".equals(request.kind()) || request.operation() != AdmissionRequest.Operation.CREATE) {
      return;
    }
    ObjectNode pod = request.object();
    ObjectNode spec = pod.with("spec");
    String namespace = pod.at("/metadata/namespace").asText(request.info().namespace());
    String name = spec.path("serviceAccountName").asText("");
    if (name.isEmpty()) {
      name = spec.path("serviceAccount").asText("default");
      spec.put("serviceAccountName", name);
    }
    String account = name;
    ServiceAccount sa =
        serviceAccounts
            .find(namespace, name)
            .orElseThrow(
                () ->
                    new ApiError(
                        403,
                        "Forbidden",
                        "pods \""
                            + pod.at("/metadata/name").asText()
                            + "\" is forbidden: error looking up service account "
                            + namespace
                            + "/"
                            + account
                            + ": serviceaccount \""
                            + account
                            + "\" not found",
                        "",
                        "pods",
                        pod.at("/metadata/name").asText(),
                        List.of()));
    boolean automount =
        spec.has("automountServiceAccountToken")
            ? spec.get("automountServiceAccountToken").asBoolean()
            : !Boolean.FALSE.equals(sa.getAutomountServiceAccountToken());
    if (!automount || mounted(spec)) {
      return;
    }
    String volume = "kube-api-access-" + suffix();
    ObjectNode projected =
        spec.withArray("volumes").addObject().put("name", volume).putObject("projected");
    projected.put("defaultMode", 420);
    ArrayNode sources = projected.putArray("sources");
    sources
        .addObject()
        .putObject("serviceAccountToken")
        .put("expirationSeconds", 3607)
        .put("path", "token");
    sources
        .addObject()
        .putObject("downwardAPI")
        .putArray("items")
        .addObject()
        .put("path", "namespace")
        .putObject("fieldRef")
        .put("apiVersion", "v1")
        .put("fieldPath", "metadata.namespace");
    for (String containers : List.of("containers", "initContainers")) {
      for (JsonNode c : spec.path(containers)) {
        ((ObjectNode) c)
            .withArray("volumeMounts")
            .addObject()
            .put("name", volume)
            .put("readOnly", true)
            .put("mountPath", MOUNT_PATH);
      }
    }
  }

  /** A container already mounts something there (kube then adds nothing). */
  private static boolean mounted(ObjectNode spec) {
    for (JsonNode c : spec.path("containers")) {
      for (JsonNode m : c.path("volumeMounts")) {
        if (MOUNT_PATH.equals(m.path("mountPath").asText())) {
          return true;
        }
      }
    }
    return false;
  }

  private static String suffix() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }
}
