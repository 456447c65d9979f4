package dev.bellhop.localcluster.apiserver.validation;

import static dev.bellhop.localcluster.apiserver.validation.Crds.causes;
import static dev.bellhop.localcluster.apiserver.validation.Crds.object;
import static dev.bellhop.localcluster.apiserver.validation.Crds.widget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.validation.CustomResourceValidator.FieldValidation;
import org.junit.jupiter.api.Test;

/** Each kind of OpenAPI rule kube-apiserver enforces on a custom resource: JSON in, causes out. */
class SchemaRulesTest {
  private static final String META = "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {name: w}\n";

  private static CustomResourceValidator spec(String specProperties) {
    return widget(
        """
        type: object
        properties:
          spec:
            type: object
            properties:
        """
            + specProperties.indent(6));
  }

  @Test
  void typesAreCheckedAndAWrongTypeStopsThatField() {
    var v =
        spec("replicas: {type: integer, minimum: 0}\nname: {type: string}\non: {type: boolean}");
    assertThat(causes(v, META + "spec: {replicas: three, name: 5, on: 'yes'}"))
        .containsExactly(
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
            "spec.name: Invalid value: \"integer\": spec.name in body must be of type string: \"integer\"",
            "spec.on: Invalid value: \"string\": spec.on in body must be of type boolean: \"string\"",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
                + "correct the existing errors to complete validation");
    assertThat(causes(v, META + "spec: {replicas: 2, name: x, on: true}")).isEmpty();
  }

  @Test
  void int32AndInt64FormatsBoundIntegers() {
    var v = spec("replicas: {type: integer, format: int32}\nsize: {type: integer, format: int64}");
    assertThat(causes(v, META + "spec: {replicas: 3000000000}"))
        .containsExactly(
            "spec.replicas: Invalid value: 3000000000: Checked value must be of type integer with format int32 in "
                + "spec.replicas");
    assertThat(causes(v, META + "spec: {replicas: 2147483647, size: 3000000000}")).isEmpty();
  }

  @Test
  void minimumAndMaximumInclusiveAndExclusive() {
    var v =
        spec(
            """
        replicas: {type: integer, minimum: 0, maximum: 2147483647}
        ratio: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true}""");
    assertThat(causes(v, META + "spec: {replicas: 3000000000}"))
        .containsExactly(
            "spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 2147483647");
    assertThat(causes(v, META + "spec: {replicas: -1, ratio: 1}"))
        .containsExactly(
            "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
            "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1");
    assertThat(causes(v, META + "spec: {ratio: 0.0}"))
        .containsExactly(
            "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0");
    assertThat(causes(v, META + "spec: {replicas: 0, ratio: 0.5}")).isEmpty();
  }

  @Test
  void enumIsUnsupportedValueWithTheSupportedOnes() {
    var v = spec("serviceType: {type: string, enum: [ClusterIP, NodePort, LoadBalancer]}");
    assertThat(causes(v, META + "spec: {serviceType: Headless}"))
        .containsExactly(
            "spec.serviceType: Unsupported value: \"Headless\": supported values: \"ClusterIP\", \"NodePort\", "
                + "\"LoadBalancer\"",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
                + "correct the existing errors to complete validation");
    assertThat(causes(v, META + "spec: {serviceType: NodePort}")).isEmpty();
  }

  @Test
  void stringPatternAndLengths() {
    var v = spec("name: {type: string, pattern: '^[a-z]+$', minLength: 2, maxLength: 5}");
    assertThat(causes(v, META + "spec: {name: a}"))
        .containsExactly(
            "spec.name: Invalid value: \"a\": spec.name in body should be at least 2 chars long");
    assertThat(causes(v, META + "spec: {name: Abc}"))
        .containsExactly(
            "spec.name: Invalid value: \"Abc\": spec.name in body should match '^[a-z]+$'");
    assertThat(causes(v, META + "spec: {name: abcdef}"))
        .first()
        .isEqualTo("spec.name: Too long: may not be longer than 5");
    // lengths count characters, not bytes
    assertThat(causes(spec("name: {type: string, maxLength: 2}"), META + "spec: {name: 'éé'}"))
        .isEmpty();
  }

  @Test
  void listSizesAndItemsWithTheirIndex() {
    var v =
        spec("tags: {type: array, minItems: 1, maxItems: 2, items: {type: string, maxLength: 3}}");
    assertThat(causes(v, META + "spec: {tags: []}"))
        .containsExactly(
            "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items");
    assertThat(causes(v, META + "spec: {tags: [a, b, c]}"))
        .first()
        .isEqualTo("spec.tags: Too many: 3: must have at most 2 items");
    assertThat(causes(v, META + "spec: {tags: [a, long]}"))
        .first()
        .isEqualTo("spec.tags[1]: Too long: may not be longer than 3");
  }

  @Test
  void requiredFieldsAndNullable() {
    var v =
        widget(
            """
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            required: [port]
            properties:
              port: {type: integer}
              note: {type: string, nullable: true}
              image: {type: string}
        """);
    assertThat(causes(v, META)).first().isEqualTo("spec: Required value");
    assertThat(causes(v, META + "spec: {note: null}"))
        .first()
        .isEqualTo("spec.port: Required value");
    // null where the schema is not nullable is dropped before validation, as kube does
    ObjectNode o = object(META + "spec: {port: 1, image: null, note: null}");
    assertThat(causes(v, o, null)).isEmpty();
    assertThat(o.path("spec").has("image")).isFalse();
    assertThat(o.path("spec").get("note").isNull()).isTrue();
    var items = spec("ports: {type: array, items: {type: integer}}");
    assertThat(causes(items, META + "spec: {ports: [1, null]}"))
        .first()
        .isEqualTo(
            "spec.ports[1]: Invalid value: \"null\": spec.ports[1] in body must be of type integer: \"null\"");
  }

  @Test
  void intOrStringTakesEitherAndNothingElse() {
    var v =
        spec(
            """
        divisor:
          anyOf: [{type: integer}, {type: string}]
          x-kubernetes-int-or-string: true""");
    assertThat(causes(v, META + "spec: {divisor: 5}")).isEmpty();
    assertThat(causes(v, META + "spec: {divisor: 50%}")).isEmpty();
    assertThat(causes(v, META + "spec: {divisor: true}"))
        .first()
        .isEqualTo(
            "spec.divisor: Invalid value: \"boolean\": spec.divisor in body must be of type integer,string: \"boolean\"");
  }

  @Test
  void mapValuesFollowAdditionalProperties() {
    var v =
        spec(
            "selector: {type: object, maxProperties: 2, additionalProperties: {type: string, maxLength: 3}}");
    assertThat(causes(v, META + "spec: {selector: {app: toolong}}"))
        .first()
        .isEqualTo("spec.selector.app: Too long: may not be longer than 3");
    assertThat(causes(v, META + "spec: {selector: {a: x, b: y, c: z}}"))
        .first()
        .isEqualTo("spec.selector: Too many: 3: must have at most 2 items");
  }

  @Test
  void listTypeSetAndMapRefuseDuplicates() {
    var v =
        spec(
            """
        tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
        ports:
          type: array
          x-kubernetes-list-type: map
          x-kubernetes-list-map-keys: [port]
          items: {type: object, properties: {port: {type: integer}, name: {type: string}}}""");
    assertThat(
            causes(
                v,
                META
                    + "spec: {tags: [a, b, a], ports: [{port: 80, name: a}, {port: 80, name: b}]}"))
        .containsExactly(
            "spec.tags[2]: Duplicate value: \"a\"",
            "spec.ports[1]: Duplicate value: {\"port\":80}");
  }

  @Test
  void unknownFieldsArePrunedRefusedUnderStrictAndWarnedUnderWarn() {
    var v =
        spec(
            "port: {type: integer}\nextra: {type: object, x-kubernetes-preserve-unknown-fields: true}");
    String yaml = META + "spec: {port: 1, foo: 2, extra: {anything: 1}}\nbar: 3";
    assertThatThrownBy(() -> v.admit(object(yaml), null, FieldValidation.STRICT))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.code()).isEqualTo(400);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Widget in version \"v1\" cannot be handled as a Widget: "
                          + "strict decoding error: unknown field \"spec.foo\", unknown field \"bar\"");
            });
    ObjectNode o = object(yaml);
    assertThat(v.admit(o, null, FieldValidation.WARN))
        .containsExactly("unknown field \"spec.foo\"", "unknown field \"bar\"");
    assertThat(o.toString())
        .isEqualTo(object(META + "spec: {port: 1, extra: {anything: 1}}").toString());
    assertThat(v.admit(object(yaml), null, FieldValidation.IGNORE)).isEmpty();
  }

  @Test
  void defaultsFillMissingFieldsTopDown() {
    var v =
        spec(
            """
        replicas: {type: integer, default: 1}
        consul:
          type: object
          default: {}
          properties:
            cluster: {type: string, default: consul}""");
    ObjectNode o = object(META + "spec: {}");
    v.admit(o, null, FieldValidation.STRICT);
    assertThat(o.path("spec").toString())
        .isEqualTo("{\"replicas\":1,\"consul\":{\"cluster\":\"consul\"}}");
    ObjectNode kept = object(META + "spec: {replicas: 3, consul: {cluster: c2}}");
    v.admit(kept, null, FieldValidation.STRICT);
    assertThat(kept.path("spec").toString())
        .isEqualTo("{\"replicas\":3,\"consul\":{\"cluster\":\"c2\"}}");
  }

  @Test
  void metadataNameMustBeADnsSubdomain() {
    var v = spec("port: {type: integer}");
    assertThat(causes(v, "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {name: Bad_Name}"))
        .containsExactly(
            "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case "
                + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
                + "([-a-z0-9]*[a-z0-9])?)*')");
    assertThat(causes(v, "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {}"))
        .containsExactly("metadata.name: Required value: name or generateName is required");
    assertThat(causes(v, "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {generateName: web-}"))
        .isEmpty();
    assertThat(causes(v, "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {generateName: Web-}"))
        .hasSize(1)
        .first()
        .asString()
        .startsWith("metadata.generateName: Invalid value: \"Web-\"");
    assertThat(
            causes(
                v,
                "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {name: " + "a".repeat(254) + "}"))
        .first()
        .asString()
        .endsWith("must be no more than 253 characters");
  }

  @Test
  void anUpdateKeepingAnInvalidFieldAsItWasIsAdmitted() {
    var v = spec("replicas: {type: integer, maximum: 5}\nimage: {type: string}");
    ObjectNode stored = object(META + "spec: {replicas: 9, image: a}");
    assertThat(causes(v, object(META + "spec: {replicas: 9, image: b}"), stored)).isEmpty();
    assertThat(causes(v, object(META + "spec: {replicas: 8, image: b}"), stored))
        .containsExactly(
            "spec.replicas: Invalid value: 8: spec.replicas in body should be less than or equal to 5");
  }

  @Test
  void theRefusalIsAStatusKubectlPrints() {
    var v = spec("replicas: {type: integer, maximum: 5}\nport: {type: integer, minimum: 1}");
    assertThatThrownBy(
            () ->
                v.admit(
                    object(META + "spec: {replicas: 9, port: 0}"), null, FieldValidation.STRICT))
        .isInstanceOfSatisfying(
            ApiError.class,
            e -> {
              assertThat(e.code()).isEqualTo(422);
              assertThat(e.reason()).isEqualTo("Invalid");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Widget.test.dev \"w\" is invalid: ["
                          + "spec.replicas: Invalid value: 9: spec.replicas in body should be less than or equal to 5, "
                          + "spec.port: Invalid value: 0: spec.port in body should be greater than or equal to 1]");
              assertThat(e.causes())
                  .extracting(ApiError.Cause::reason)
                  .containsOnly("FieldValueInvalid");
            });
  }
}
