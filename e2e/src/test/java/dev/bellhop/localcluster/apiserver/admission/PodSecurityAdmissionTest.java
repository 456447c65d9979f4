package dev.bellhop.localcluster.apiserver.admission;

import static dev.bellhop.localcluster.apiserver.admission.Requests.create;
import static dev.bellhop.localcluster.apiserver.admission.Requests.refusal;
import static dev.bellhop.localcluster.apiserver.admission.Requests.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiError;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pods against their namespace's Pod Security level, with kube's 403 text. */
class PodSecurityAdmissionTest {
  private static final Map<String, Map<String, String>> LABELS =
      Map.of(
          "restricted", Map.of(PodSecurityAdmission.ENFORCE, "restricted"),
          "baseline", Map.of(PodSecurityAdmission.ENFORCE, "baseline"),
          "typo", Map.of(PodSecurityAdmission.ENFORCE, "restricetd"),
          "open", Map.of());
  private final PodSecurityAdmission plugin =
      new PodSecurityAdmission(ns -> LABELS.getOrDefault(ns, Map.of()));

  /** What the operator's Deployment made before hardening. */
  private static final String PLAIN =
      """
      {'metadata': {'name': 'geo-1'}, 'spec': {'containers': [{'name': 'geo', 'image': 'geo',
        'ports': [{'name': 'http', 'containerPort': 8082}]}]}}""";

  private static final String HARDENED =
      """
      {'metadata': {'name': 'geo-1'}, 'spec': {
        'securityContext': {'runAsNonRoot': true, 'seccompProfile': {'type': 'RuntimeDefault'}},
        'volumes': [{'name': 'tmp', 'emptyDir': {}}],
        'containers': [{'name': 'geo', 'image': 'geo', 'securityContext': {'allowPrivilegeEscalation': false,
          'readOnlyRootFilesystem': true, 'capabilities': {'drop': ['ALL']}}}]}}""";

  /** A Consul agent as the operator made it: host ports for the node's pods. */
  private static final String AGENT =
      """
      {'metadata': {'name': 'consul-agent-x'}, 'spec': {'securityContext': {'runAsNonRoot': true, 'runAsUser': 100},
        'containers': [{'name': 'consul', 'image': 'consul', 'ports': [
          {'name': 'http', 'containerPort': 8500, 'hostPort': 8500},
          {'name': 'dns-tcp', 'containerPort': 8600, 'hostPort': 8600}]}]}}""";

  private static AdmissionRequest pod(String namespace, String json) {
    return create("/api/v1/namespaces/" + namespace + "/pods", "Pod", json);
  }

  @Test
  void restrictedRefusesAPlainPodWithKubesMessage() {
    ApiError e = refusal(plugin, pod("restricted", PLAIN));
    assertThat(e.code()).isEqualTo(403);
    assertThat(e.reason()).isEqualTo("Forbidden");
    assertThat(e.getMessage())
        .isEqualTo(
            "pods \"geo-1\" is forbidden: violates PodSecurity \"restricted:latest\": "
                + "allowPrivilegeEscalation != false (container \"geo\" must set securityContext.allowPrivilegeEscalation=false), "
                + "unrestricted capabilities (container \"geo\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                + "runAsNonRoot != true (pod or container \"geo\" must set securityContext.runAsNonRoot=true), "
                + "seccompProfile (pod or container \"geo\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" "
                + "or \"Localhost\")");
    assertThat(refusal(plugin, pod("baseline", PLAIN))).isNull();
    assertThat(refusal(plugin, pod("open", PLAIN))).isNull();
  }

  @Test
  void aHardenedPodPassesRestricted() {
    assertThat(refusal(plugin, pod("restricted", HARDENED))).isNull();
    ApiError rootUser =
        refusal(
            plugin,
            pod(
                "restricted",
                HARDENED.replace(
                    "'runAsNonRoot': true,", "'runAsNonRoot': true, 'runAsUser': 0,")));
    assertThat(rootUser.getMessage()).endsWith("runAsUser=0 (pod must not set runAsUser=0)");
  }

  @Test
  void hostPortsAreRefusedEvenAtBaseline() {
    ApiError e = refusal(plugin, pod("baseline", AGENT));
    assertThat(e.getMessage())
        .isEqualTo(
            "pods \"consul-agent-x\" is forbidden: violates PodSecurity "
                + "\"baseline:latest\": hostPort (container \"consul\" uses hostPorts 8500, 8600)");
  }

  @Test
  void baselineChecksComeFirstAndRestrictedReplacesItsBaselineTwins() {
    ApiError e =
        refusal(
            plugin,
            pod(
                "restricted",
                """
        {'metadata': {'name': 'p'}, 'spec': {'hostNetwork': true, 'hostPID': true,
          'volumes': [{'name': 'root', 'hostPath': {'path': '/'}}, {'name': 'cfg', 'configMap': {'name': 'c'}}],
          'containers': [{'name': 'a', 'securityContext': {'privileged': true, 'capabilities': {'add': ['SYS_ADMIN']}}}]}}"""));
    assertThat(e.getMessage())
        .startsWith(
            "pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": "
                + "host namespaces (hostNetwork=true, hostPID=true), "
                + "privileged (container \"a\" must set securityContext.privileged=true), "
                    .replace("must set", "must not set")
                + "allowPrivilegeEscalation != false (container \"a\" must set securityContext.allowPrivilegeEscalation=false), "
                + "unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]; container "
                + "\"a\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add), "
                + "restricted volume types (volumes [\"root\"] have restricted types), ");
    ApiError baseline =
        refusal(
            plugin,
            pod(
                "baseline",
                """
        {'metadata': {'name': 'p'}, 'spec': {'volumes': [{'name': 'root', 'hostPath': {'path': '/'}}],
          'containers': [{'name': 'a', 'securityContext': {'capabilities': {'add': ['NET_ADMIN', 'CHOWN']}}}]}}"""));
    assertThat(baseline.getMessage())
        .endsWith(
            "\"baseline:latest\": non-default capabilities (container \"a\" must not "
                + "include \"NET_ADMIN\" in securityContext.capabilities.add), hostPath volumes (volume \"root\")");
  }

  @Test
  void anUnknownLevelIsEnforcedAsRestricted() {
    assertThat(refusal(plugin, pod("typo", PLAIN)).getMessage()).contains("\"restricted:latest\"");
  }

  @Test
  void updatesAreCheckedOnlyWhenAnImageChanges() {
    String uri = "/api/v1/namespaces/restricted/pods/geo-1";
    String withFinalizer = PLAIN.replace("'name': 'geo-1'", "'name': 'geo-1', 'finalizers': ['x']");
    assertThat(refusal(plugin, update(uri, "Pod", withFinalizer, PLAIN))).isNull();
    assertThat(
            refusal(
                plugin,
                update(uri, "Pod", PLAIN.replace("'image': 'geo'", "'image': 'geo:2'"), PLAIN)))
        .isNotNull();
  }
}
