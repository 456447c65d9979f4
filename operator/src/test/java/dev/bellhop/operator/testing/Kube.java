package dev.bellhop.operator.testing;

import dev.bellhop.operator.crd.ConsulRegistrationSpec;
import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.crd.HotelServiceSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Drives the mock API server like a cluster: CRDs, HotelServices and pods through their lifecycle.
 */
public final class Kube {
  /** What a kubelet holds on a pod until it has stopped: deletion first sets deletionTimestamp. */
  public static final String KUBELET_FINALIZER = "test.bellhop.dev/kubelet";

  private final KubernetesClient client;

  public Kube(KubernetesClient client) {
    this.client = client;
  }

  public KubernetesClient client() {
    return client;
  }

  /** Applies the committed crds/ files, as a user would. */
  public void applyCrds() {
    Path crds = repoRoot().resolve("crds");
    try (var files = Files.list(crds)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
              .toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd =
              client.apiextensions().v1().customResourceDefinitions().load(in).item();
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .resource(crd)
              .createOr(r -> r.update());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("crds"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no crds/ above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  public static HotelService hotelService(
      String ns, String name, int port, Map<String, String> selector) {
    HotelService hs = new HotelService();
    hs.getMetadata().setName(name);
    hs.getMetadata().setNamespace(ns);
    HotelServiceSpec spec = new HotelServiceSpec();
    spec.setPort(port);
    spec.setSelector(selector);
    spec.setConsul(new ConsulRegistrationSpec());
    hs.setSpec(spec);
    return hs;
  }

  public HotelService create(HotelService hs) {
    return client.resources(HotelService.class).resource(hs).create();
  }

  /**
   * Edits a HotelService as a user would, trying again on a conflict: the operator writes its
   * status concurrently (a 409 here is the API server asking to retry, as kubectl's edit does).
   */
  public HotelService edit(
      String ns, String name, java.util.function.UnaryOperator<HotelService> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resources(HotelService.class).inNamespace(ns).withName(name).edit(change);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  public HotelService get(String ns, String name) {
    return client.resources(HotelService.class).inNamespace(ns).withName(name).get();
  }

  public static Pod pod(
      String ns, String name, Map<String, String> labels, String node, String ip, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(labels)
        .withFinalizers(KUBELET_FINALIZER)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("app")
        .withImage("app:1")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .withHostIP("192.168.0." + (Math.floorMod(node.hashCode(), 200) + 1))
        .withConditions(readyCondition(ready))
        .endStatus()
        .build();
  }

  public Pod create(Pod pod) {
    return client.pods().resource(pod).create();
  }

  public void setReady(String ns, String name, boolean ready) {
    client
        .pods()
        .inNamespace(ns)
        .withName(name)
        .editStatus(
            p -> {
              p.getStatus().setConditions(List.of(readyCondition(ready)));
              return p;
            });
  }

  /**
   * Starts graceful termination: the pod stays, with a deletionTimestamp, until {@link
   * #finishTermination}.
   */
  public void terminate(String ns, String name) {
    client.pods().inNamespace(ns).withName(name).delete();
  }

  public void finishTermination(String ns, String name) {
    client
        .pods()
        .inNamespace(ns)
        .withName(name)
        .edit(
            p -> {
              p.getMetadata().setFinalizers(List.of());
              return p;
            });
  }

  private static PodCondition readyCondition(boolean ready) {
    PodCondition c = new PodCondition();
    c.setType("Ready");
    c.setStatus(ready ? "True" : "False");
    return c;
  }
}
