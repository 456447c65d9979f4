package dev.bellhop.localcluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What a delete's options do to the stored object, as kube's registry and garbage collector expect.
 */
class DeleteOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOW = "2026-12-04T18:00:00Z";

  private static DeleteOptions options(String query, String body) {
    RequestInfo info =
        RequestInfo.parse("DELETE", "/apis/apps/v1/namespaces/a/deployments/web" + query);
    return DeleteOptions.of(
        new ApiRequest(
            info,
            UserInfo.ANONYMOUS,
            "application/json",
            null,
            body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
  }

  private static ObjectNode object(String finalizers, boolean deleting) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            "{\"metadata\":{\"name\":\"web\",\"uid\":\"u1\",\"resourceVersion\":\"7\""
                + (finalizers == null ? "" : ",\"finalizers\":" + finalizers)
                + (deleting ? ",\"deletionTimestamp\":\"2026-12-04T17:00:00Z\"" : "")
                + "}}");
  }

  private static JsonNode finalizers(ObjectNode marked) {
    return marked.at("/metadata/finalizers");
  }

  @Test
  void backgroundWithoutFinalizersDeletesNow() throws Exception {
    assertThat(options("", null).mark(object(null, false), NOW)).isNull();
    assertThat(options("?propagationPolicy=Background", null).mark(object(null, false), NOW))
        .isNull();
  }

  @Test
  void remainingFinalizersOnlyMarkTheObject() throws Exception {
    ObjectNode marked = options("", null).mark(object("[\"bellhop.dev/x\"]", false), NOW);
    assertThat(marked.at("/metadata/deletionTimestamp").asText()).isEqualTo(NOW);
    assertThat(marked.at("/metadata/deletionGracePeriodSeconds").asLong()).isZero();
    assertThat(finalizers(marked)).extracting(JsonNode::asText).containsExactly("bellhop.dev/x");
  }

  @Test
  void orphanAddsTheOrphanFinalizerFromBodyOrQuery() throws Exception {
    ObjectNode body =
        options("", "{\"kind\":\"DeleteOptions\",\"propagationPolicy\":\"Orphan\"}")
            .mark(object(null, false), NOW);
    assertThat(finalizers(body)).extracting(JsonNode::asText).containsExactly("orphan");
    assertThat(body.at("/metadata/deletionTimestamp").asText()).isEqualTo(NOW);
    ObjectNode query = options("?propagationPolicy=Orphan", null).mark(object(null, false), NOW);
    assertThat(finalizers(query)).extracting(JsonNode::asText).containsExactly("orphan");
    ObjectNode legacy = options("", "{\"orphanDependents\":true}").mark(object(null, false), NOW);
    assertThat(finalizers(legacy)).extracting(JsonNode::asText).containsExactly("orphan");
  }

  @Test
  void foregroundAddsItsFinalizerAndReplacesOrphan() throws Exception {
    ObjectNode marked =
        options("", "{\"propagationPolicy\":\"Foreground\",\"gracePeriodSeconds\":5}")
            .mark(object("[\"orphan\",\"x\"]", false), NOW);
    assertThat(finalizers(marked))
        .extracting(JsonNode::asText)
        .containsExactly("x", "foregroundDeletion");
    assertThat(marked.at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(5);
  }

  @Test
  void aBareDeleteKeepsTheGcFinalizersAndTheFirstDeletionTimestamp() throws Exception {
    ObjectNode stored = object("[\"orphan\"]", true);
    ObjectNode marked = options("", null).mark(stored, NOW);
    assertThat(marked).isEqualTo(stored);
    ObjectNode background =
        options("?propagationPolicy=Background", null).mark(object("[\"orphan\"]", true), NOW);
    assertThat(background).isNull();
  }

  @Test
  void preconditionsAreConflicts() throws Exception {
    RequestInfo info = RequestInfo.parse("DELETE", "/apis/apps/v1/namespaces/a/deployments/web");
    options("", "{\"preconditions\":{\"uid\":\"u1\",\"resourceVersion\":\"7\"}}")
        .checkPreconditions(info, object(null, false));
    assertThatThrownBy(
            () ->
                options("", "{\"preconditions\":{\"uid\":\"other\"}}")
                    .checkPreconditions(info, object(null, false)))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("Precondition failed: UID in precondition: other")
        .extracting(e -> ((ApiError) e).code())
        .isEqualTo(409);
    assertThatThrownBy(
            () ->
                options("", "{\"preconditions\":{\"resourceVersion\":\"6\"}}")
                    .checkPreconditions(info, object(null, false)))
        .hasMessageContaining("ResourceVersion in precondition: 6");
  }

  @Test
  void anUnknownPolicyIsABadRequest() {
    assertThatThrownBy(() -> options("?propagationPolicy=Sometimes", null))
        .isInstanceOf(ApiError.class)
        .extracting(e -> ((ApiError) e).code())
        .isEqualTo(400);
  }
}
