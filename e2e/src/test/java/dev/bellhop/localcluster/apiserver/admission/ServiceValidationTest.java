package dev.bellhop.localcluster.apiserver.admission;

import static dev.bellhop.localcluster.apiserver.admission.Requests.create;
import static dev.bellhop.localcluster.apiserver.admission.Requests.refusal;
import static dev.bellhop.localcluster.apiserver.admission.Requests.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiError;
import org.junit.jupiter.api.Test;

/** A Service's cluster IP stays once set; node ports only where the type has them. */
class ServiceValidationTest {
  private final ServiceValidation plugin = new ServiceValidation();
  private static final String URI = "/api/v1/namespaces/demo/services/consul-ui";
  private static final String NODE_PORT =
      """
      {'metadata': {'name': 'consul-ui'}, 'spec': {'type': 'NodePort', 'clusterIP': '10.96.0.7',
        'ports': [{'name': 'http', 'port': 80, 'targetPort': 8500, 'nodePort': 30850}]}}""";

  @Test
  void aClusterIpServiceMayNotCarryANodePort() {
    // What the operator sent when a ConsulCluster's UI switched from NodePort to ClusterIP.
    ApiError e =
        refusal(
            plugin,
            update(
                URI,
                "Service",
                """
        {'metadata': {'name': 'consul-ui'}, 'spec': {'type': 'ClusterIP', 'clusterIP': '10.96.0.7',
          'ports': [{'name': 'http', 'port': 80, 'targetPort': 8500, 'nodePort': 30850}]}}""",
                NODE_PORT));
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.getMessage())
        .isEqualTo(
            "Service \"consul-ui\" is invalid: spec.ports[0].nodePort: Forbidden: "
                + "may not be used when `type` is 'ClusterIP'");
    assertThat(
            refusal(
                plugin,
                update(
                    URI,
                    "Service",
                    """
        {'metadata': {'name': 'consul-ui'}, 'spec': {'type': 'ClusterIP', 'clusterIP': '10.96.0.7',
          'ports': [{'name': 'http', 'port': 80, 'targetPort': 8500}]}}""",
                    NODE_PORT)))
        .isNull();
    assertThat(
            refusal(
                plugin,
                create(
                    "/api/v1/namespaces/demo/services",
                    "Service",
                    """
        {'metadata': {'name': 'x'}, 'spec': {'ports': [{'port': 80, 'nodePort': 30001}]}}""")))
        .isNotNull();
  }

  @Test
  void theClusterIpMayNotChangeOnceSetAndIsKeptWhenLeftOut() {
    ApiError e =
        refusal(
            plugin,
            update(
                URI,
                "Service",
                "{'metadata': {'name': 'consul-ui'}, 'spec': {'type': 'NodePort', 'clusterIP': 'None', 'ports': []}}",
                NODE_PORT));
    assertThat(e.getMessage())
        .isEqualTo(
            "Service \"consul-ui\" is invalid: spec.clusterIPs[0]: Invalid value: [\"None\"]: may not change once set");

    AdmissionRequest leftOut =
        update(
            URI,
            "Service",
            "{'metadata': {'name': 'consul-ui'}, 'spec': {'type': 'NodePort', 'ports': []}}",
            NODE_PORT);
    assertThat(refusal(plugin, leftOut)).isNull();
    assertThat(leftOut.object().path("spec").path("clusterIP").asText()).isEqualTo("10.96.0.7");
  }
}
