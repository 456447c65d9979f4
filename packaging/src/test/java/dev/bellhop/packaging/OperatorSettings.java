package dev.bellhop.packaging;

import dev.bellhop.operator.OperatorConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The operator's settings as the chart's Deployment gives them to the container. */
final class OperatorSettings {
  private OperatorSettings() {}

  static Map<String, String> env(List<HasMetadata> objects) {
    Deployment operator = ChartTest.deployment(objects, "bellhop-operator");
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : operator.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom().getFieldRef() != null
          && "metadata.namespace".equals(e.getValueFrom().getFieldRef().getFieldPath())) {
        env.put(e.getName(), operator.getMetadata().getNamespace()); // the downward API
      } else {
        throw new AssertionError("the default values need no Secret: " + e);
      }
    }
    return env;
  }

  /** The chart's settings; the HTTP port is picked free (tests share the machine). */
  static OperatorConfig config(List<HasMetadata> objects) {
    Map<String, String> env = env(objects);
    env.put("BELLHOP_HTTP_PORT", "0");
    return OperatorConfig.fromEnv(env);
  }
}
