package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code fieldValidation} for built-in kinds: fields the kind does not have are found by reading
 * the object into fabric8's model, where they land in {@code additionalProperties}. Strict refuses
 * them (400 {@code strict decoding error: unknown field "spec.foo"}, as kube answers), Warn (kube's
 * default) names each in a {@code Warning} header, Ignore says nothing. Custom resources are
 * validation's (their schema decides), not this.
 */
final class FieldValidation {
  private static final String MODEL = "io.fabric8.kubernetes.api.model";

  private FieldValidation() {}

  /** The warnings to send; throws for Strict. */
  static List<String> check(ApiRequest request, Discovery.Resource resource, ObjectNode object) {
    String mode = request.info().param("fieldValidation").orElse("Warn");
    if (!resource.builtIn() || mode.equals("Ignore")) {
      return List.of();
    }
    List<String> unknown = unknownFields(object);
    if (unknown.isEmpty()) {
      return List.of();
    }
    List<String> messages = unknown.stream().map(f -> "unknown field \"" + f + "\"").toList();
    if (mode.equals("Strict")) {
      throw Errors.badRequest("strict decoding error: " + String.join(", ", messages));
    }
    return messages;
  }

  /**
   * The paths of the fields fabric8's model of this kind does not know ({@code
   * spec.containers[0].foo}).
   */
  static List<String> unknownFields(ObjectNode object) {
    Object typed;
    try {
      typed = Serialization.unmarshal(object.toString(), KubernetesResource.class);
    } catch (RuntimeException e) {
      throw Errors.badRequest("the object cannot be read as its kind: " + e.getMessage());
    }
    List<String> unknown = new ArrayList<>();
    if (!(typed instanceof GenericKubernetesResource)) {
      walk(typed, "", unknown);
    }
    return unknown;
  }

  private static void walk(Object value, String path, List<String> unknown) {
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", unknown);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, join(path, String.valueOf(k)), unknown));
      return;
    }
    if (value == null || !value.getClass().getName().startsWith(MODEL)) {
      return;
    }
    BeanDescription bean =
        Storage.JSON
            .getSerializationConfig()
            .introspect(Storage.JSON.constructType(value.getClass()));
    for (BeanPropertyDefinition property : bean.findProperties()) {
      if (property.hasGetter()) {
        walk(property.getGetter().getValue(value), join(path, property.getName()), unknown);
      }
    }
    try {
      Method additional = value.getClass().getMethod("getAdditionalProperties");
      if (additional.invoke(value) instanceof Map<?, ?> extra) {
        extra.keySet().forEach(k -> unknown.add(join(path, String.valueOf(k))));
      }
    } catch (ReflectiveOperationException e) {
      // a model class without additional properties has nothing unknown at this level
    }
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
