package dev.bellhop.localcluster.apiserver.admission;

import java.util.Map;

/** A namespace's labels as stored now (empty when it has none or does not exist). */
@FunctionalInterface
public interface NamespaceLabels {
  Map<String, String> of(String namespace);
}
