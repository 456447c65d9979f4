package dev.bellhop.packaging;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart under helm/bellhop, rendered offline through helm-java, and its objects in the fabric8
 * model.
 */
final class Charts {
  static final String RELEASE = "bellhop";
  static final String NAMESPACE = "bellhop";

  /**
   * helm-java's default (1.20) is older than the chart's kubeVersion; any supported version renders
   * the same.
   */
  static final String KUBE_VERSION = "v1.29.0";

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static {
    SERIALIZATION.registerKubernetesResource(HotelService.class);
    SERIALIZATION.registerKubernetesResource(ConsulCluster.class);
  }

  private Charts() {}

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/bellhop"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no helm/bellhop above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Path chart() {
    return repoRoot().resolve("helm/bellhop");
  }

  /**
   * `helm template bellhop helm/bellhop -n bellhop --kube-version v1.29.0` with {@code values} as
   * --set.
   */
  static String template(Map<String, Object> values) {
    return template(NAMESPACE, values);
  }

  /** The same, released into {@code namespace}. */
  static String template(String namespace, Map<String, Object> values) {
    TemplateCommand template =
        new Helm(chart())
            .template()
            .withName(RELEASE)
            .withNamespace(namespace)
            .withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return template.call();
  }

  /** The YAML documents of a rendering, in order, empty ones left out. */
  static List<String> documents(String yaml) {
    List<String> docs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : yaml.split("\n", -1)) {
      if (line.equals("---")) {
        add(docs, current);
        current = new StringBuilder();
      } else {
        current.append(line).append('\n');
      }
    }
    add(docs, current);
    return docs;
  }

  private static void add(List<String> docs, StringBuilder doc) {
    boolean content = doc.toString().lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"));
    if (content) {
      docs.add(doc.toString());
    }
  }

  /**
   * Every rendered object in the fabric8 model (Bellhop's custom resources as their own classes).
   */
  static List<HasMetadata> objects(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : documents(yaml)) {
      Object parsed = SERIALIZATION.unmarshal(doc);
      if (!(parsed instanceof HasMetadata object)) {
        throw new AssertionError("not a Kubernetes object: " + parsed + "\n" + doc);
      }
      objects.add(object);
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(o -> (T) o).toList();
  }
}
