package dev.bellhop.localcluster.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import dev.bellhop.localcluster.apiserver.UserInfo;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import java.util.List;

/**
 * Admission requests as the front builds them, from a method, a URI and JSON written in the test.
 */
final class Requests {
  static final ObjectMapper JSON = new ObjectMapper();
  static final UserInfo OPERATOR =
      new UserInfo(
          "system:serviceaccount:bellhop:bellhop-operator", "u1", List.of(UserInfo.AUTHENTICATED));
  static final UserInfo ADMIN =
      new UserInfo("admin", "u0", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));

  private Requests() {}

  /** JSON with single quotes, for readable tests. */
  static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static AdmissionRequest create(String uri, String kind, String object) {
    return new AdmissionRequest(
        Operation.CREATE, RequestInfo.parse("POST", uri), OPERATOR, kind, json(object), null);
  }

  static AdmissionRequest update(String uri, String kind, String object, String old) {
    return new AdmissionRequest(
        Operation.UPDATE, RequestInfo.parse("PUT", uri), OPERATOR, kind, json(object), json(old));
  }

  static AdmissionRequest as(UserInfo user, AdmissionRequest r) {
    return new AdmissionRequest(r.operation(), r.info(), user, r.kind(), r.object(), r.oldObject());
  }

  /** The refusal a plugin gives, or null when it lets the request through. */
  static ApiError refusal(AdmissionPlugin plugin, AdmissionRequest request) {
    try {
      plugin.admit(request);
      return null;
    } catch (ApiError e) {
      return e;
    }
  }

  static JsonNode node(String text) {
    return json(text);
  }
}
