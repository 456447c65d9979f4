package dev.bellhop.localcluster.apiserver.admission;

import static dev.bellhop.localcluster.apiserver.admission.Requests.create;
import static dev.bellhop.localcluster.apiserver.admission.Requests.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiError;
import org.junit.jupiter.api.Test;

/** Container, volume and port names inside specs, as kube's registries check them. */
class FieldNameValidationTest {
  private final FieldNameValidation plugin = new FieldNameValidation();

  @Test
  void aDeploymentsContainerNameMustBeADns1123Label() {
    // A HotelService named with a dot passes as an object name but not as its container's name.
    ApiError e =
        refusal(
            plugin,
            create(
                "/apis/apps/v1/namespaces/demo/deployments",
                "Deployment",
                """
        {'metadata': {'name': 'geo.v2'}, 'spec': {'template': {'spec': {'containers': [
          {'name': 'geo.v2', 'image': 'geo', 'ports': [{'name': 'http', 'containerPort': 8082}]}]}}}}"""));
    assertThat(e.getMessage())
        .isEqualTo(
            "Deployment.apps \"geo.v2\" is invalid: "
                + "spec.template.spec.containers[0].name: Invalid value: \"geo.v2\": must not contain dots");
  }

  @Test
  void portNamesAreIanaServiceNames() {
    ApiError e =
        refusal(
            plugin,
            create(
                "/api/v1/namespaces/demo/pods",
                "Pod",
                """
        {'metadata': {'name': 'p'}, 'spec': {'containers': [
          {'name': 'c', 'ports': [{'name': 'http-api-endpoint', 'containerPort': 80}, {'name': '8080', 'containerPort': 0}]}]}}"""));
    assertThat(e.causes())
        .extracting(c -> c.field() + ": " + c.message())
        .containsExactly(
            "spec.containers[0].ports[0].name: Invalid value: \"http-api-endpoint\": must be no more than 15 characters",
            "spec.containers[0].ports[1].name: Invalid value: \"8080\": must contain at least one letter (a-z)",
            "spec.containers[0].ports[1].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive");
  }

  @Test
  void duplicateContainerAndVolumeNames() {
    ApiError e =
        refusal(
            plugin,
            create(
                "/apis/apps/v1/namespaces/demo/statefulsets",
                "StatefulSet",
                """
        {'metadata': {'name': 's'}, 'spec': {'template': {'spec': {
          'initContainers': [{'name': 'c'}], 'containers': [{'name': 'c'}],
          'volumes': [{'name': 'data', 'emptyDir': {}}, {'name': 'data', 'emptyDir': {}}]}}}}"""));
    assertThat(e.causes())
        .extracting(c -> c.field() + ": " + c.message())
        .containsExactly(
            "spec.template.spec.containers[0].name: Duplicate value: \"c\"",
            "spec.template.spec.volumes[1].name: Duplicate value: \"data\"");
  }

  @Test
  void servicePortsNeedNamesWhenSeveral() {
    ApiError e =
        refusal(
            plugin,
            create(
                "/api/v1/namespaces/demo/services",
                "Service",
                """
        {'metadata': {'name': 'consul'}, 'spec': {'ports': [{'port': 80}, {'name': 'DNS', 'port': 53, 'targetPort': 'dns'}]}}"""));
    assertThat(e.causes())
        .extracting(c -> c.field() + ": " + c.message())
        .containsExactly(
            "spec.ports[0].name: Required value",
            "spec.ports[1].name: Invalid value: \"DNS\": a lowercase RFC 1123 label must consist of lower case "
                + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
                + "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    assertThat(
            refusal(
                plugin,
                create(
                    "/api/v1/namespaces/demo/services",
                    "Service",
                    "{'metadata': {'name': 'geo'}, 'spec': {'ports': [{'port': 80, 'targetPort': 'http'}]}}")))
        .isNull();
  }
}
