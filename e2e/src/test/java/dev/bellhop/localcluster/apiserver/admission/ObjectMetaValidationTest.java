package dev.bellhop.localcluster.apiserver.admission;

import static dev.bellhop.localcluster.apiserver.admission.Requests.create;
import static dev.bellhop.localcluster.apiserver.admission.Requests.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.apiserver.ApiError;
import org.junit.jupiter.api.Test;

/** Object names per kind, labels and annotations, with kube-apiserver's 422 messages. */
class ObjectMetaValidationTest {
  private final ObjectMetaValidation plugin = new ObjectMetaValidation();

  @Test
  void aServiceNameMustBeADns1035Label() {
    ApiError e =
        refusal(
            plugin,
            create(
                "/api/v1/namespaces/demo/services", "Service", "{'metadata': {'name': '1geo'}}"));
    assertThat(e.code()).isEqualTo(422);
    assertThat(e.getMessage())
        .isEqualTo(
            "Service \"1geo\" is invalid: metadata.name: Invalid value: \"1geo\": "
                + "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                + "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
                + "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
    assertThat(e.causes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("metadata.name");
              assertThat(c.reason()).isEqualTo("FieldValueInvalid");
            });
    // The same name is a fine Deployment name (a DNS-1123 subdomain).
    assertThat(
            refusal(
                plugin,
                create(
                    "/apis/apps/v1/namespaces/demo/deployments",
                    "Deployment",
                    "{'metadata': {'name': '1geo'}}")))
        .isNull();
  }

  @Test
  void aLongServiceNameGivesBothMessages() {
    String name = "a".repeat(64);
    ApiError e =
        refusal(
            plugin,
            create(
                "/api/v1/namespaces/demo/services",
                "Service",
                "{'metadata': {'name': '" + name + "'}}"));
    assertThat(e.causes())
        .extracting(ApiError.Cause::message)
        .containsExactly("Invalid value: \"" + name + "\": must be no more than 63 characters");
  }

  @Test
  void namespacesAreDns1123LabelsAndSubdomainsAllowDots() {
    assertThat(
            refusal(
                    plugin,
                    create("/api/v1/namespaces", "Namespace", "{'metadata': {'name': 'a.b'}}"))
                .causes())
        .extracting(ApiError.Cause::message)
        .containsExactly("Invalid value: \"a.b\": must not contain dots");
    assertThat(
            refusal(
                plugin,
                create(
                    "/api/v1/namespaces/demo/configmaps",
                    "ConfigMap",
                    "{'metadata': {'name': 'a.b'}}")))
        .isNull();
    ApiError upper =
        refusal(
            plugin,
            create(
                "/apis/bellhop.dev/v1alpha1/namespaces/demo/hotelservices",
                "HotelService",
                "{'apiVersion': 'bellhop.dev/v1alpha1', 'metadata': {'name': 'Geo'}}"));
    assertThat(upper.getMessage())
        .startsWith(
            "HotelService.bellhop.dev \"Geo\" is invalid: metadata.name: Invalid value:"
                + " \"Geo\": a lowercase RFC 1123 subdomain must consist of");
  }

  @Test
  void rbacNamesArePathSegments() {
    assertThat(
            refusal(
                plugin,
                create(
                    "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                    "ClusterRole",
                    "{'metadata': {'name': 'system:bellhop:Operator'}}")))
        .isNull();
    assertThat(
            refusal(
                    plugin,
                    create(
                        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                        "ClusterRole",
                        "{'metadata': {'name': 'a/b'}}"))
                .causes())
        .extracting(ApiError.Cause::message)
        .containsExactly("Invalid value: \"a/b\": may not contain '/'");
  }

  @Test
  void aNameOrGenerateNameIsRequired() {
    ApiError e = refusal(plugin, create("/api/v1/namespaces/demo/pods", "Pod", "{'metadata': {}}"));
    assertThat(e.getMessage())
        .isEqualTo(
            "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required");
    assertThat(
            refusal(
                plugin,
                create(
                    "/api/v1/namespaces/demo/pods",
                    "Pod",
                    "{'metadata': {'generateName': 'geo-'}}")))
        .isNull();
  }

  @Test
  void labelKeysAndValues() {
    ApiError e =
        refusal(
            plugin,
            create(
                "/api/v1/namespaces/demo/pods",
                "Pod",
                "{'metadata': {'name': 'p', 'labels': {'bellhop.dev/hotel service': 'ok', 'app': '-geo'}}}"));
    assertThat(e.causes()).extracting(ApiError.Cause::field).containsOnly("metadata.labels");
    assertThat(e.causes())
        .extracting(ApiError.Cause::message)
        .containsExactly(
            "Invalid value: \"bellhop.dev/hotel service\": name part must consist of alphanumeric characters, '-', '_' "
                + "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "Invalid value: \"-geo\": a valid label must be an empty string or consist of alphanumeric characters, '-', "
                + "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
                + "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    assertThat(e.getMessage()).startsWith("Pod \"p\" is invalid: [metadata.labels: Invalid value:");
  }

  @Test
  void annotationKeysOnUpdateToo() {
    ApiError e =
        refusal(
            plugin,
            Requests.update(
                "/api/v1/namespaces/demo/pods/p",
                "Pod",
                "{'metadata': {'name': 'p', 'annotations': {'a//b': 'x'}}}",
                "{'metadata': {'name': 'p'}}"));
    assertThat(e.causes()).extracting(ApiError.Cause::field).containsOnly("metadata.annotations");
  }
}
