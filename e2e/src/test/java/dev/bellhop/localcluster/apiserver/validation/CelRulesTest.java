package dev.bellhop.localcluster.apiserver.validation;

import static dev.bellhop.localcluster.apiserver.validation.Crds.causes;
import static dev.bellhop.localcluster.apiserver.validation.Crds.object;
import static dev.bellhop.localcluster.apiserver.validation.Crds.widget;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code x-kubernetes-validations}: CEL rules evaluated as kube-apiserver evaluates them. */
class CelRulesTest {
  private static final String META = "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {name: w}\n";

  @Test
  void aFalseRuleIsInvalidAtItsNodeWithItsMessage() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: has(self.image) || has(self.selector)
              message: spec.selector is required when spec.image is not set
            properties:
              image: {type: string}
              selector: {type: object, additionalProperties: {type: string}}
              servers:
                type: integer
                x-kubernetes-validations:
                - rule: self % 2 == 1
        """);
    assertThat(causes(v, META + "spec: {servers: 4}"))
        .containsExactly(
            "spec: Invalid value: \"object\": spec.selector is required when spec.image is not set",
            "spec.servers: Invalid value: \"integer\": failed rule: self % 2 == 1");
    assertThat(causes(v, META + "spec: {image: x, servers: 3}")).isEmpty();
    assertThat(causes(v, META + "spec: {selector: {app: a}}")).isEmpty();
  }

  @Test
  void messageExpressionFieldPathAndReason() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "!has(self.tls) || !self.tls.enabled || has(self.tls.secretName)"
              messageExpression: "'tls.secretName is required when TLS is enabled (' + string(self.tls.enabled) + ')'"
              fieldPath: .tls.secretName
              reason: FieldValueRequired
            properties:
              tls:
                type: object
                properties:
                  enabled: {type: boolean}
                  secretName: {type: string}
        """);
    assertThat(causes(v, META + "spec: {tls: {enabled: true}}"))
        .containsExactly(
            "spec.tls.secretName: Required value: tls.secretName is required when TLS is enabled (true)");
    assertThat(causes(v, META + "spec: {tls: {enabled: false}}")).isEmpty();
    assertThat(causes(v, META + "spec: {tls: {enabled: true, secretName: s}}")).isEmpty();
  }

  @Test
  void rootRulesSeeTheNameButNoOtherMetadata() {
    var v =
        widget(
            """
        type: object
        x-kubernetes-validations:
        - rule: "!has(self.spec.image) || self.metadata.name.size() <= 15"
          message: metadata.name must be at most 15 characters when spec.image is set
        - rule: "!has(self.metadata.labels)"
        properties:
          spec: {type: object, properties: {image: {type: string}}}
        """);
    String labels = "apiVersion: test.dev/v1\nkind: Widget\nmetadata: {name: %s, labels: {a: b}}\n";
    assertThat(causes(v, labels.formatted("a-name-longer-than-fifteen") + "spec: {image: x}"))
        .containsExactly(
            "<nil>: Invalid value: \"object\": metadata.name must be at most 15 characters when spec.image is set");
    assertThat(causes(v, labels.formatted("a-name-longer-than-fifteen") + "spec: {}")).isEmpty();
  }

  @Test
  void transitionRulesRunOnlyOnUpdatesWithAnOldValue() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            properties:
              storageClass:
                type: string
                x-kubernetes-validations:
                - rule: self == oldSelf
                  message: storageClass is immutable
        """);
    assertThat(causes(v, META + "spec: {storageClass: fast}")).isEmpty();
    assertThat(
            causes(
                v,
                object(META + "spec: {storageClass: slow}"),
                object(META + "spec: {storageClass: fast}")))
        .containsExactly("spec.storageClass: Invalid value: \"string\": storageClass is immutable");
    assertThat(causes(v, object(META + "spec: {storageClass: fast}"), object(META + "spec: {}")))
        .isEmpty();
  }

  @Test
  void anEvaluationErrorIsAnInvalidCauseNamingTheRule() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: self.image.startsWith('registry.local/')
            properties:
              image: {type: string}
        """);
    assertThat(causes(v, META + "spec: {image: registry.local/x}")).isEmpty();
    assertThat(causes(v, META + "spec: {}"))
        .singleElement()
        .asString()
        .startsWith("spec: Invalid value: \"object\": ")
        .endsWith(" evaluating rule: self.image.startsWith('registry.local/')");
  }

  @Test
  void aRuleThatDoesNotCompileRefusesEveryWrite() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: self.image ==
        """);
    assertThat(causes(v, META + "spec: {}"))
        .singleElement()
        .asString()
        .startsWith("spec: Invalid value: \"object\": rule compile error: compilation failed");
  }

  @Test
  void rulesAreNotRunWhenTheSchemaAlreadyRefusesTheObject() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            required: [port]
            x-kubernetes-validations:
            - rule: self.port > 1000
            properties:
              port: {type: integer}
        """);
    assertThat(causes(v, META + "spec: {}"))
        .containsExactly(
            "spec.port: Required value",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
                + "correct the existing errors to complete validation");
    assertThat(causes(v, META + "spec: {port: 80}"))
        .containsExactly("spec: Invalid value: \"object\": failed rule: self.port > 1000");
  }

  @Test
  void listItemsAndStringExtensions() {
    var v =
        widget(
            """
        type: object
        properties:
          spec:
            type: object
            properties:
              tags:
                type: array
                x-kubernetes-validations:
                - rule: self.all(t, t.lowerAscii() == t)
                  message: tags are lower case
                items:
                  type: string
                  x-kubernetes-validations:
                  - rule: "!self.contains(' ')"
                    message: a tag has no spaces
        """);
    assertThat(causes(v, META + "spec: {tags: [a, 'b c', D]}"))
        .containsExactly(
            "spec.tags: Invalid value: \"array\": tags are lower case",
            "spec.tags[1]: Invalid value: \"string\": a tag has no spaces");
  }
}
