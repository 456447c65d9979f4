package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bellhop.localcluster.apiserver.ApiError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test fixtures: CRDs and objects from YAML, and the causes kube-apiserver would answer with. */
final class Crds {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Crds() {}

  static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode object(String yaml) {
    return (ObjectNode) yaml(yaml);
  }

  /** A one-version CRD (group test.dev, kind Widget, version v1) around an openAPIV3Schema. */
  static CustomResourceValidator widget(String schemaYaml) {
    ObjectNode crd =
        object(
            """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.test.dev}
        spec:
          group: test.dev
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
        """);
    ((ObjectNode) crd.path("spec").path("versions").get(0))
        .putObject("schema")
        .set("openAPIV3Schema", yaml(schemaYaml));
    return CustomResourceValidator.forCrd(crd, "v1");
  }

  /** The committed CRD file {@code crds/<file>}, as kubectl would apply it. */
  static CustomResourceValidator committed(String file) {
    try {
      JsonNode crd = YAML.readTree(repoRoot().resolve("crds").resolve(file).toFile());
      return CustomResourceValidator.forCrd(crd, "v1alpha1");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("crds"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  /** "field: message" for each cause of a refusal, empty when the write is admitted. */
  static List<String> causes(CustomResourceValidator validator, ObjectNode object, ObjectNode old) {
    try {
      validator.admit(object, old, CustomResourceValidator.FieldValidation.STRICT);
      return List.of();
    } catch (ApiError e) {
      if (e.code() != 422) {
        return List.of(e.code() + " " + e.getMessage());
      }
      return e.causes().stream().map(c -> c.field() + ": " + c.message()).toList();
    }
  }

  static List<String> causes(CustomResourceValidator validator, String yaml) {
    return causes(validator, object(yaml), null);
  }
}
