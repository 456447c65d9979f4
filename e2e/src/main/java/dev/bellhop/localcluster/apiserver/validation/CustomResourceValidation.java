package dev.bellhop.localcluster.apiserver.validation;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.admission.AdmissionPlugin;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain's validation stage for custom resources: a create or update of a resource some CRD
 * defines (the main resource or its {@code status}) is pruned, defaulted and validated against the
 * served version's schema ({@link CustomResourceValidator}); built-in kinds pass through.
 */
public final class CustomResourceValidation implements AdmissionPlugin, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CustomResourceValidation.class);

  private final Supplier<KubernetesClient> client;

  /**
   * cel-java's environment takes 1 s to build on an idle core here (8 s under the shared machine's
   * usual load): built in the background from the start, not on the first HotelService write.
   */
  private final CompletableFuture<CelRules> cel = CompletableFuture.supplyAsync(CelRules::new);

  private volatile CompletableFuture<CrdCatalog> catalog;

  private CustomResourceValidation(Supplier<KubernetesClient> client) {
    this.client = client;
  }

  /**
   * The factory the chain assembly calls. The chain is built before the API server listens, so the
   * client (one that reads CRDs, e.g. the admin's) is asked for, and the CRD informer started in
   * the background, at the first write (a namespace, the CRDs: before any custom resource).
   */
  public static CustomResourceValidation create(Supplier<KubernetesClient> client) {
    return new CustomResourceValidation(client);
  }

  private CompletableFuture<CrdCatalog> catalog() {
    CompletableFuture<CrdCatalog> c = catalog;
    if (c == null || c.isCompletedExceptionally()) {
      synchronized (this) {
        c = catalog;
        if (c == null
            || c.isCompletedExceptionally()) { // a failed start (store not up yet) is retried
          catalog = c = cel.thenApplyAsync(rules -> new CrdCatalog(client.get(), rules));
        }
      }
    }
    return c;
  }

  @Override
  public void admit(AdmissionRequest request) {
    RequestInfo info = request.info();
    CompletableFuture<CrdCatalog> catalog = catalog();
    if (request.operation() == AdmissionRequest.Operation.DELETE
        || !info.resourceRequest()
        || builtIn(info.apiGroup())
        || (info.subresource() != null && !info.subresource().equals("status"))
        || request.object() == null) {
      return;
    }
    crds(catalog)
        .validator(info.apiGroup(), info.resource(), info.apiVersion())
        .ifPresent(
            validator -> {
              List<String> warnings =
                  validator.admit(
                      request.object(),
                      request.oldObject(),
                      CustomResourceValidator.FieldValidation.of(
                          info.param("fieldValidation").orElse(null)));
              // The front has no Warning header yet: log what kube would warn about.
              warnings.forEach(
                  w ->
                      log.atDebug()
                          .addKeyValue("resource", info.resource())
                          .addKeyValue("warning", w)
                          .log("field dropped"));
            });
  }

  /**
   * The CRD catalog, started again once if its start failed; a 503 rather than a custom resource
   * let through.
   */
  private CrdCatalog crds(CompletableFuture<CrdCatalog> started) {
    try {
      return started.join();
    } catch (CompletionException first) {
      try {
        return catalog().join();
      } catch (CompletionException e) {
        throw new ApiError(
            503,
            "ServiceUnavailable",
            "custom resources cannot be validated: the CRDs cannot be read: " + e.getCause(),
            null,
            null,
            null,
            List.of());
      }
    }
  }

  /** Groups of kube's own kinds: no CRD can define them, so no store lookup for them. */
  private static boolean builtIn(String group) {
    return group == null || group.isEmpty() || !group.contains(".") || group.endsWith(".k8s.io");
  }

  @Override
  public void close() {
    if (catalog != null) {
      catalog.thenAccept(CrdCatalog::close);
    }
  }
}
