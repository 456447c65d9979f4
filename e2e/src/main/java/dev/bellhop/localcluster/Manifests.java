package dev.bellhop.localcluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code kubectl apply -f}: every object of some YAML files created, or updated when it exists. */
final class Manifests {
  private Manifests() {}

  /** Applies the files in order (a directory: its .yml and .yaml files by name); returns the objects. */
  static List<HasMetadata> apply(KubernetesClient client, Path... paths) {
    List<HasMetadata> applied = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : files(path)) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata item : client.load(in).items()) {
            applied.add(apply(client, item));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return applied;
  }

  private static HasMetadata apply(KubernetesClient client, HasMetadata item) {
    if (item instanceof GenericKubernetesResource generic) {
      // A custom resource: addressed through its CRD, as discovery would.
      ResourceDefinitionContext context = customResource(client, generic);
      var op = client.genericKubernetesResources(context);
      var resource = generic.getMetadata().getNamespace() == null ? op.resource(generic)
          : op.inNamespace(generic.getMetadata().getNamespace()).resource(generic);
      return resource.createOr(r -> r.update());
    }
    return client.resource(item).createOr(r -> r.update());
  }

  private static ResourceDefinitionContext customResource(KubernetesClient client, GenericKubernetesResource r) {
    String[] gv = r.getApiVersion().split("/");
    for (CustomResourceDefinition crd : client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
      if (crd.getSpec().getGroup().equals(gv[0]) && crd.getSpec().getNames().getKind().equals(r.getKind())) {
        return new ResourceDefinitionContext.Builder().withGroup(gv[0]).withVersion(gv[1]).withKind(r.getKind())
            .withPlural(crd.getSpec().getNames().getPlural())
            .withNamespaced("Namespaced".equals(crd.getSpec().getScope())).build();
      }
    }
    throw new IllegalArgumentException("no CustomResourceDefinition for " + r.getApiVersion() + " " + r.getKind()
        + ": apply crds/ first");
  }

  private static List<Path> files(Path path) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (var list = Files.list(path)) {
      return list.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
