package dev.bellhop.localcluster.apiserver.printing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * The columns of one resource and the cells of one of its objects, as kube-apiserver prints them.
 */
public interface Printer {
  List<Column> columns();

  /**
   * One cell a column, in order: String, Long, Double, Boolean or null (kubectl prints {@code
   * <none>}).
   */
  List<Object> cells(JsonNode object, Instant now);
}
