package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.Program;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code x-kubernetes-validations}: CEL rules compiled with the CEL library Kubernetes' own is a
 * port of (cel-java), evaluated as kube-apiserver's {@code schema/cel} validator does: {@code self}
 * is the value at the rule's node, {@code oldSelf} the stored value there (a rule that names it is
 * a transition rule, run only on an update where the old value exists), a false result is an {@code
 * Invalid} cause at the node (or at {@code fieldPath}) carrying {@code messageExpression}, else
 * {@code message}, else "failed rule: &lt;rule&gt;"; an evaluation error is an Invalid cause too.
 * {@code self} and {@code oldSelf} are typed {@code dyn}: kube types them from the schema, so a
 * rule with a type error is refused when the CRD is written there and when evaluated here.
 */
final class CelRules {
  private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

  /**
   * One compiled rule; {@code compileError} is set instead of a program when it does not compile.
   */
  record Rule(
      String rule,
      String message,
      String messageExpression,
      String reason,
      String fieldPath,
      boolean usesOldSelf,
      Program program,
      Program messageProgram,
      String compileError) {}

  private final Cel rules;
  private final Cel messages;

  CelRules() {
    // kube's environment: the standard library and macros, its string extensions and sets.
    CelOptions options = CelOptions.current().build();
    rules =
        CelFactory.standardCelBuilder()
            .setOptions(options)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(options))
            .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(options))
            .build();
    messages = rules.toCelBuilder().setResultType(SimpleType.STRING).build();
  }

  List<Rule> compile(JsonNode validations) {
    List<Rule> out = new ArrayList<>();
    for (JsonNode v : validations) {
      String rule = v.path("rule").asText("");
      String message = v.path("message").asText("");
      String messageExpression = v.path("messageExpression").asText("");
      String reason = v.path("reason").asText("");
      String fieldPath = v.path("fieldPath").asText("");
      boolean usesOldSelf = OLD_SELF.matcher(rule).find();
      Program program = null;
      String error = null;
      try {
        var ast = rules.compile(rule).getAst();
        if (!ast.getResultType().equals(SimpleType.BOOL)
            && !ast.getResultType().equals(SimpleType.DYN)) {
          error = "cel expression must evaluate to a bool";
        } else {
          program = rules.createProgram(ast);
        }
      } catch (CelValidationException e) {
        error = "compilation failed: " + e.getMessage();
      } catch (RuntimeException | dev.cel.common.CelException e) {
        error = "program instantiation failed: " + e.getMessage();
      }
      Program messageProgram = null;
      if (!messageExpression.isEmpty()) {
        try {
          messageProgram = messages.createProgram(messages.compile(messageExpression).getAst());
        } catch (RuntimeException | dev.cel.common.CelException e) {
          messageProgram = null;
        }
      }
      out.add(
          new Rule(
              rule,
              message,
              messageExpression,
              reason,
              fieldPath,
              usesOldSelf,
              program,
              messageProgram,
              error));
    }
    return List.copyOf(out);
  }

  /**
   * Runs a node's rules. {@code oldValue} is null where there is no correlated stored value
   * (create, a new list item): transition rules are then skipped.
   */
  void evaluate(
      Schema schema,
      String path,
      JsonNode value,
      JsonNode oldValue,
      boolean root,
      List<Cause> out) {
    if (schema.rules.isEmpty() || value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    Map<String, Object> activation = new HashMap<>();
    activation.put("self", toCel(root ? rootView(value) : value));
    boolean hasOld = oldValue != null && !oldValue.isNull() && !oldValue.isMissingNode();
    if (hasOld) {
      activation.put("oldSelf", toCel(root ? rootView(oldValue) : oldValue));
    }
    String typeValue = FieldErrors.quote(typeName(schema));
    String here = path.isEmpty() ? FieldErrors.NO_PATH : path;
    for (Rule rule : schema.rules) {
      if (rule.compileError() != null) {
        out.add(FieldErrors.invalid(here, typeValue, "rule compile error: " + rule.compileError()));
        continue;
      }
      if (rule.program() == null || (rule.usesOldSelf() && !hasOld)) {
        continue;
      }
      Object result;
      try {
        result = rule.program().eval(activation);
      } catch (CelEvaluationException e) {
        out.add(
            FieldErrors.invalid(
                here, typeValue, e.getMessage() + " evaluating rule: " + errorString(rule)));
        continue;
      }
      if (Boolean.TRUE.equals(result)) {
        continue;
      }
      String at = rule.fieldPath().isEmpty() ? here : join(path, normalize(rule.fieldPath()));
      String detail = message(rule, activation);
      out.add(
          switch (rule.reason()) {
            case "FieldValueRequired" -> FieldErrors.required(at, detail);
            case "FieldValueForbidden" -> FieldErrors.forbidden(at, detail);
            case "FieldValueDuplicate" -> FieldErrors.duplicate(at, typeValue);
            default -> FieldErrors.invalid(at, typeValue, detail);
          });
    }
  }

  private static String message(Rule rule, Map<String, Object> activation) {
    if (rule.messageProgram() != null) {
      try {
        Object m = rule.messageProgram().eval(activation);
        if (m instanceof String s && !s.isBlank() && !s.contains("\n")) {
          return s;
        }
      } catch (CelEvaluationException e) {
        // kube logs it and falls back to message
      }
    }
    return rule.message().isEmpty() ? "failed rule: " + errorString(rule) : rule.message().strip();
  }

  private static String errorString(Rule rule) {
    return rule.message().isEmpty() ? rule.rule().strip() : rule.message().strip();
  }

  /** {@code .spec.name} or {@code .spec['name']} as a field path relative to the rule's node. */
  private static String normalize(String fieldPath) {
    String p = fieldPath.replaceAll("\\['([^']*)'\\]", ".$1");
    return p.startsWith(".") ? p.substring(1) : p;
  }

  private static String join(String path, String rel) {
    return path.isEmpty() ? rel : path + "." + rel;
  }

  private static String typeName(Schema schema) {
    return schema.type == null ? "" : schema.type;
  }

  /**
   * At the root kube shows rules apiVersion, kind, spec, status and of metadata only name and
   * generateName.
   */
  private static JsonNode rootView(JsonNode object) {
    var copy = object.deepCopy();
    if (copy instanceof com.fasterxml.jackson.databind.node.ObjectNode o
        && o.get("metadata") instanceof com.fasterxml.jackson.databind.node.ObjectNode meta) {
      meta.retain("name", "generateName");
    }
    return copy;
  }

  /** JSON as CEL's Java values: int64 as Long, objects as maps, arrays as lists. */
  static Object toCel(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), toCel(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(toCel(e)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return n.asText();
  }
}
