package dev.bellhop.operator;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chart's pre-delete hook ({@code bellhop-operator.jar uninstall --namespace=NS
 * --selector=SELECTOR}): deletes the release's HotelServices and waits until the running operator
 * has deregistered each one and let it go. Helm deletes custom resources last and does not wait in
 * between, so without this the operator's Deployment and RBAC would be gone first and every
 * HotelService would stay Terminating, its instances in Consul. Only what the selector names is
 * touched: HotelServices that users made outside the release stay.
 */
public final class Uninstall {
  private static final Logger LOG = LoggerFactory.getLogger(Uninstall.class);

  /** Long enough for a leader election after a failover (15 s lease) plus the deregistrations. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  private Uninstall() {}

  /** The process's exit code: 0 once every selected HotelService is gone, 1 otherwise. */
  public static int run(KubernetesClient client, String[] args) {
    String namespace = option(args, "--namespace", client.getNamespace());
    String selector = option(args, "--selector", null);
    if (namespace == null || selector == null || selector.isBlank()) {
      LOG.atError().log("usage: uninstall --namespace=NAMESPACE --selector=LABEL_SELECTOR");
      return 2;
    }
    return deleteAndWait(client, namespace, selector, DEFAULT_TIMEOUT) ? 0 : 1;
  }

  /** True once none of the selected HotelServices is left within {@code timeout}. */
  static boolean deleteAndWait(
      KubernetesClient client, String namespace, String selector, Duration timeout) {
    FilterWatchListDeletable<
            HotelService, KubernetesResourceList<HotelService>, Resource<HotelService>>
        selected =
            client.resources(HotelService.class).inNamespace(namespace).withLabelSelector(selector);
    List<HotelService> present = selected.list().getItems();
    for (HotelService hs : present) {
      client.resource(hs).delete();
    }
    LOG.atInfo()
        .addKeyValue("namespace", namespace)
        .addKeyValue("selector", selector)
        .addKeyValue("count", present.size())
        .log("HotelServices deleted; waiting for the operator to deregister them");
    // Polled, not watched: a watch started after the list misses deletions made in between on a
    // store that keeps no event history (the local cluster's: an informer here waited out its
    // 90 s with none left), and the wait is a second or two, a few lists at 500 ms.
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (List<HotelService> left = present; !left.isEmpty(); left = selected.list().getItems()) {
        if (System.nanoTime() > deadline) {
          LOG.atError()
              .addKeyValue("namespace", namespace)
              .addKeyValue("left", left.stream().map(hs -> hs.getMetadata().getName()).toList())
              .addKeyValue("timeoutSeconds", timeout.toSeconds())
              .log(
                  "HotelServices still Terminating: is the operator running? Start it and"
                      + " uninstall again, or `helm uninstall --no-hooks` and remove their"
                      + " finalizers (their Consul registrations then stay)");
          return false;
        }
        Thread.sleep(500);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    LOG.atInfo().addKeyValue("namespace", namespace).log("every HotelService deregistered");
    return true;
  }

  private static String option(String[] args, String name, String fallback) {
    for (String a : args) {
      if (a.startsWith(name + "=")) {
        return a.substring(name.length() + 1);
      }
    }
    return fallback;
  }
}
