package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;

/**
 * One write as the stages after authorization see it (kube's admission.Attributes): the object that
 * would be stored (after a patch is applied; a mutating stage may change it in place), the stored
 * object it replaces, and who asks.
 *
 * @param object what would be stored; for DELETE the stored object
 * @param oldObject the stored object (null on CREATE)
 * @param kind the object's kind ("Pod", "HotelService")
 */
public record AdmissionRequest(
    Operation operation,
    RequestInfo info,
    UserInfo user,
    String kind,
    ObjectNode object,
    JsonNode oldObject) {
  public enum Operation {
    CREATE,
    UPDATE,
    DELETE
  }

  /** kubectl's {@code --dry-run=server}: run every stage, store nothing. */
  public boolean dryRun() {
    return info.param("dryRun").isPresent();
  }
}
