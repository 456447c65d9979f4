package dev.bellhop.operator.consulcluster;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls to a cluster's ACL API with its management token: a server's address, the CA its
 * certificate chains to (null: plain HTTP) and the token, shared by every ACL step of a reconcile
 * ({@link ConsulAcls}, {@link AgentTokens}).
 */
record AclAdmin(ConsulHttp http, String url, String caPem, String token) {

  ConsulHttp.Response send(String method, String path, String body) throws IOException {
    return http.send(method, url + path, token, caPem, body);
  }

  /**
   * Makes the token with these IDs exist in Consul: read by its accessor, created when Consul has
   * none, with {@code rights} ({@code Policies} or {@code NodeIdentities}). The IDs come from a
   * Secret written first, so a crash in between repeats this, never duplicates the token.
   *
   * @return true when it was created now
   */
  boolean ensureToken(
      String accessor, String secret, String description, Map<String, Object> rights, String what)
      throws IOException {
    var current = send("GET", "/v1/acl/token/" + accessor, null);
    if (current.ok()) {
      return false;
    }
    if (current.status() != 403 && current.status() != 404) {
      ConsulAcls.check(current, "read " + what);
    }
    Map<String, Object> body = new LinkedHashMap<>(rights);
    body.put("AccessorID", accessor);
    body.put("SecretID", secret);
    body.put("Description", description);
    ConsulAcls.check(
        send("PUT", "/v1/acl/token", ConsulAcls.JSON.writeValueAsString(body)), "create " + what);
    return true;
  }

  /**
   * Deletes the token with this accessor; one Consul no longer has (403, 404) is no failure.
   *
   * @param step what a failure reports Bellhop could not do
   */
  void deleteToken(String accessor, String step) throws IOException {
    var r = send("DELETE", "/v1/acl/token/" + accessor, null);
    if (!r.ok() && r.status() != 403 && r.status() != 404) {
      ConsulAcls.check(r, step);
    }
  }
}
