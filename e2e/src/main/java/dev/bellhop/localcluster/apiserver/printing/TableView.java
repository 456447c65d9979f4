package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiRequest;
import dev.bellhop.localcluster.apiserver.Discovery;
import dev.bellhop.localcluster.apiserver.ReadView;
import dev.bellhop.localcluster.apiserver.StoredObjects;
import java.time.Clock;
import java.util.Optional;

/**
 * Server-side printing in the front's read path: a get or list whose Accept asks for a Table is
 * answered with one; a custom resource's columns come from its CRD as stored now.
 */
public final class TableView implements ReadView {
  private final StoredObjects stored;
  private final Clock clock;

  public TableView(StoredObjects stored, Clock clock) {
    this.stored = stored;
    this.clock = clock;
  }

  @Override
  public JsonNode render(ApiRequest request, Discovery.Resource resource, JsonNode body) {
    Optional<String> version = Tables.requested(request.accept());
    if (version.isEmpty()) {
      return body;
    }
    return Tables.convert(
        printer(resource),
        body,
        version.get(),
        request.info().param("includeObject").orElse(null),
        clock.instant());
  }

  private Printer printer(Discovery.Resource resource) {
    if (resource.builtIn()) {
      return BuiltinPrinters.of(resource.group(), resource.plural())
          .orElseGet(BuiltinPrinters::fallback);
    }
    String version = resource.groupVersion().substring(resource.groupVersion().indexOf('/') + 1);
    return stored
        .find(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                + resource.plural()
                + "."
                + resource.group())
        .map(crd -> (Printer) CustomResourcePrinter.of(crd, version))
        .orElseGet(BuiltinPrinters::fallback);
  }
}
