package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One served version of a CRD, as kube-apiserver treats a write of it: prune unknown fields
 * (refused under {@code fieldValidation=Strict}), apply defaults, then validate: metadata name
 * rules, the schema's value validations, list-type invariants, and the CEL rules (skipped, with
 * kube's note, when an error already makes the object unfit for them). On an update, an error in a
 * field the write leaves unchanged is dropped (kube's validation ratcheting), so an object stored
 * before its CRD was tightened can still have its status written.
 */
public final class CustomResourceValidator {
  /** kube-apiserver's {@code fieldValidation} query parameter; kube's default is Warn. */
  public enum FieldValidation {
    IGNORE,
    WARN,
    STRICT;

    public static FieldValidation of(String parameter) {
      if (parameter == null || parameter.isEmpty()) {
        return WARN;
      }
      return switch (parameter) {
        case "Strict" -> STRICT;
        case "Ignore" -> IGNORE;
        default -> WARN;
      };
    }
  }

  /** Errors that leave CEL rules unchecked (kube's {@code hasBlockingErr}). */
  private static final Set<String> BLOCKING =
      Set.of(
          "FieldValueNotSupported",
          "FieldValueRequired",
          "FieldValueTooLong",
          "FieldValueTooMany",
          "FieldValueTypeInvalid");

  private final String group;
  private final String kind;
  private final String version;
  private final Schema root;
  private final RuleWalk rules;

  CustomResourceValidator(
      String group, String kind, String version, JsonNode openApiV3Schema, CelRules cel) {
    this.group = group;
    this.kind = kind;
    this.version = version;
    this.root = Schema.parse(openApiV3Schema, cel);
    this.rules = new RuleWalk(cel);
  }

  /**
   * The validator of {@code version} of a CRD (its JSON), or null when the CRD does not serve it.
   */
  public static CustomResourceValidator forCrd(JsonNode crd, String version) {
    return forCrd(crd, version, new CelRules());
  }

  static CustomResourceValidator forCrd(JsonNode crd, String version, CelRules cel) {
    JsonNode spec = crd.path("spec");
    for (JsonNode v : spec.path("versions")) {
      if (v.path("name").asText().equals(version) && v.path("served").asBoolean(true)) {
        return new CustomResourceValidator(
            spec.path("group").asText(),
            spec.path("names").path("kind").asText(),
            version,
            v.path("schema").path("openAPIV3Schema"),
            cel);
      }
    }
    return null;
  }

  /**
   * Prunes and defaults {@code object} in place, then validates it.
   *
   * @param old the stored object on an update, else null
   * @return warnings (the unknown fields dropped under {@code Warn})
   * @throws ApiError 400 for unknown fields under Strict, 422 Invalid with the field causes
   */
  public List<String> admit(ObjectNode object, JsonNode old, FieldValidation mode) {
    List<String> dropped = Pruning.prune(object, root);
    List<String> warnings = new ArrayList<>();
    if (!dropped.isEmpty()) {
      String unknown =
          dropped.stream()
              .map(p -> "unknown field " + FieldErrors.quote(p))
              .collect(Collectors.joining(", "));
      if (mode == FieldValidation.STRICT) {
        throw new ApiError(
            400,
            "BadRequest",
            kind
                + " in version "
                + FieldErrors.quote(version)
                + " cannot be handled as a "
                + kind
                + ": strict decoding error: "
                + unknown,
            group,
            kind,
            object.path("metadata").path("name").asText(null),
            List.of());
      }
      if (mode == FieldValidation.WARN) {
        dropped.forEach(p -> warnings.add("unknown field " + FieldErrors.quote(p)));
      }
    }
    Defaulting.apply(object, root);
    List<Cause> causes = validate(object, old);
    if (!causes.isEmpty()) {
      String name = object.path("metadata").path("name").asText("");
      throw ApiError.invalid(group, kind, name, causes);
    }
    return warnings;
  }

  /** The causes for an already pruned and defaulted object (no side effects). */
  List<Cause> validate(ObjectNode object, JsonNode old) {
    List<Cause> causes = new ArrayList<>();
    ObjectMetaRules.validate(object.path("metadata"), causes);
    List<Cause> schema = new ArrayList<>();
    ValueValidation.validate(object, root, "", schema);
    ValueValidation.listTypes(object, root, "", schema);
    causes.addAll(ratchet(schema, object, old));
    if (schema.stream().anyMatch(c -> BLOCKING.contains(c.reason()))) {
      causes.add(
          FieldErrors.invalid(
              FieldErrors.NO_PATH,
              "null",
              "some validation rules were not checked because "
                  + "the object was invalid; correct the existing errors to complete validation"));
    } else {
      List<Cause> cel = new ArrayList<>();
      rules.walk(object, old, root, "", true, cel);
      causes.addAll(ratchet(cel, object, old));
    }
    return causes;
  }

  /** Drops the errors of fields an update leaves as they were. */
  private static List<Cause> ratchet(List<Cause> causes, JsonNode object, JsonNode old) {
    if (old == null || old.isNull()) {
      return causes;
    }
    return causes.stream()
        .filter(
            c ->
                c.field().equals(FieldErrors.NO_PATH)
                    || !at(object, c.field()).equals(at(old, c.field())))
        .toList();
  }

  /** The value at a field path ("spec.consul.tags[2]"), missing when there is none. */
  static JsonNode at(JsonNode root, String path) {
    JsonNode node = root;
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      String name = bracket < 0 ? part : part.substring(0, bracket);
      if (!name.isEmpty()) {
        node = node.path(name);
      }
      while (bracket >= 0) {
        int end = part.indexOf(']', bracket);
        String index = part.substring(bracket + 1, end);
        node =
            index.chars().allMatch(Character::isDigit)
                ? node.path(Integer.parseInt(index))
                : node.path(index);
        bracket = part.indexOf('[', end);
      }
      if (node.isMissingNode()) {
        return MissingNode.getInstance();
      }
    }
    return node;
  }

  public String group() {
    return group;
  }

  public String kind() {
    return kind;
  }
}
