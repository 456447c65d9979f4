package dev.bellhop.localcluster.apiserver.validation;

import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.admission.AdmissionPlugin;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain's validation stage for custom resources: a create or update of a resource some CRD
 * defines (the main resource or its {@code status}) is pruned, defaulted and validated against the
 * served version's schema ({@link CustomResourceValidator}); built-in kinds pass through.
 */
public final class CustomResourceValidation implements AdmissionPlugin, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CustomResourceValidation.class);

  private final CrdCatalog catalog;

  private CustomResourceValidation(CrdCatalog catalog) {
    this.catalog = catalog;
  }

  /** The factory the chain assembly calls: {@code store} is the client of the storage behind the front. */
  public static CustomResourceValidation create(KubernetesClient store) {
    return new CustomResourceValidation(new CrdCatalog(store));
  }

  @Override
  public void admit(AdmissionRequest request) {
    RequestInfo info = request.info();
    if (request.operation() == AdmissionRequest.Operation.DELETE || !info.resourceRequest() || builtIn(info.apiGroup())
        || (info.subresource() != null && !info.subresource().equals("status")) || request.object() == null) {
      return;
    }
    catalog.validator(info.apiGroup(), info.resource(), info.apiVersion()).ifPresent(validator -> {
      List<String> warnings = validator.admit(request.object(), request.oldObject(),
          CustomResourceValidator.FieldValidation.of(info.param("fieldValidation").orElse(null)));
      // The front has no Warning header yet: log what kube would warn about.
      warnings.forEach(w -> log.atDebug().addKeyValue("resource", info.resource()).addKeyValue("warning", w)
          .log("field dropped"));
    });
  }

  /** Groups of kube's own kinds: no CRD can define them, so no store lookup for them. */
  private static boolean builtIn(String group) {
    return group == null || group.isEmpty() || !group.contains(".") || group.endsWith(".k8s.io");
  }

  @Override
  public void close() {
    catalog.close();
  }
}
