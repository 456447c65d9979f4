package dev.bellhop.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** A status that carries Kubernetes-style conditions, so that one function sets them for both. */
public interface WithConditions {
  List<Condition> getConditions();

  void setConditions(List<Condition> conditions);
}
