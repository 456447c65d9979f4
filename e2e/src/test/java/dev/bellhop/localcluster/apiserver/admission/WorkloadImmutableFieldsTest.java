package dev.bellhop.localcluster.apiserver.admission;

import static dev.bellhop.localcluster.apiserver.admission.Requests.refusal;
import static dev.bellhop.localcluster.apiserver.admission.Requests.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiError;
import org.junit.jupiter.api.Test;

/** StatefulSet specs beyond the updatable fields, and workload selectors, stay as created. */
class WorkloadImmutableFieldsTest {
  private final WorkloadImmutableFields plugin = new WorkloadImmutableFields();
  private static final String STS = "/apis/apps/v1/namespaces/demo/statefulsets/consul-server";
  private static final String OLD_STS =
      """
      {'metadata': {'name': 'consul-server'}, 'spec': {'replicas': 3, 'serviceName': 'consul-server',
        'selector': {'matchLabels': {'app': 'consul'}}, 'template': {'spec': {'containers': [{'name': 'consul'}]}},
        'volumeClaimTemplates': [{'metadata': {'name': 'data'}, 'spec': {'resources': {'requests': {'storage': '1Gi'}}}}]}}""";

  @Test
  void statefulSetClaimTemplatesAndSelectorAreForbiddenToChange() {
    ApiError e =
        refusal(plugin, update(STS, "StatefulSet", OLD_STS.replace("1Gi", "2Gi"), OLD_STS));
    assertThat(e.getMessage())
        .isEqualTo(
            "StatefulSet.apps \"consul-server\" is invalid: spec: Forbidden: updates to "
                + "statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                + "'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
    assertThat(
            refusal(
                plugin,
                update(
                    STS, "StatefulSet", OLD_STS.replace("'app': 'consul'", "'app': 'x'"), OLD_STS)))
        .isNotNull();
  }

  @Test
  void statefulSetReplicasAndTemplateMayChangeAndEmptyFieldsEqualMissingOnes() {
    String changed =
        OLD_STS
            .replace("'replicas': 3", "'replicas': 5, 'updateStrategy': {'type': 'RollingUpdate'}")
            .replace("'name': 'consul'}", "'name': 'consul', 'image': 'consul:1.8'}")
            .replace("'serviceName'", "'volumes': null, 'ordinals': {}, 'serviceName'");
    assertThat(refusal(plugin, update(STS, "StatefulSet", changed, OLD_STS))).isNull();
  }

  @Test
  void deploymentAndDaemonSetSelectorsAreImmutable() {
    String old =
        "{'metadata': {'name': 'geo'}, 'spec': {'replicas': 1, 'selector': {'matchLabels': {'app': 'geo'}}}}";
    ApiError e =
        refusal(
            plugin,
            update(
                "/apis/apps/v1/namespaces/demo/deployments/geo",
                "Deployment",
                old.replace("'app': 'geo'", "'app': 'geo', 'v': '2'"),
                old));
    assertThat(e.getMessage())
        .isEqualTo(
            "Deployment.apps \"geo\" is invalid: spec.selector: Invalid value: "
                + "{\"matchLabels\":{\"app\":\"geo\",\"v\":\"2\"}}: field is immutable");
    assertThat(
            refusal(
                plugin,
                update(
                    "/apis/apps/v1/namespaces/demo/deployments/geo",
                    "Deployment",
                    old.replace("'replicas': 1", "'replicas': 4"),
                    old)))
        .isNull();
    assertThat(
            refusal(
                plugin,
                update(
                    "/apis/apps/v1/namespaces/demo/daemonsets/agent",
                    "DaemonSet",
                    old.replace("'app': 'geo'", "'app': 'agent'"),
                    old)))
        .isNotNull();
  }
}
