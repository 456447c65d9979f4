package dev.bellhop.localcluster.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Bodies as client-go's typed clients write them (Helm's release Secrets, kubectl create), read as
 * JSON.
 */
class ProtobufTest {
  /** A protobuf message built field by field, as generated.proto numbers them. */
  private static final class Message {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    Message text(int field, String value) throws IOException {
      out.writeString(field, value);
      return this;
    }

    Message bytes(int field, byte[] value) throws IOException {
      out.writeByteArray(field, value);
      return this;
    }

    Message message(int field, Message value) throws IOException {
      out.writeBytes(field, ByteString.copyFrom(value.toBytes()));
      return this;
    }

    Message int64(int field, long value) throws IOException {
      out.writeInt64(field, value);
      return this;
    }

    byte[] toBytes() throws IOException {
      out.flush();
      return bytes.toByteArray();
    }
  }

  private static byte[] envelope(String apiVersion, String kind, Message raw) throws IOException {
    byte[] unknown =
        new Message()
            .message(1, new Message().text(1, apiVersion).text(2, kind))
            .bytes(2, raw.toBytes())
            .toBytes();
    byte[] body = new byte[unknown.length + 4];
    System.arraycopy("k8s\0".getBytes(StandardCharsets.ISO_8859_1), 0, body, 0, 4);
    System.arraycopy(unknown, 0, body, 4, unknown.length);
    return body;
  }

  @Test
  void readsHelmsReleaseSecret() throws IOException {
    Message meta =
        new Message()
            .text(1, "sh.helm.release.v1.bellhop.v1")
            .text(3, "bellhop")
            .message(11, new Message().text(1, "owner").text(2, "helm"))
            .message(11, new Message().text(1, "status").text(2, "deployed"))
            .message(8, new Message().int64(1, 1_796_407_081L))
            .text(14, "a/finalizer");
    Message secret =
        new Message()
            .message(1, meta)
            .message(
                2,
                new Message().text(1, "release").bytes(2, "H4sI".getBytes(StandardCharsets.UTF_8)))
            .text(3, "helm.sh/release.v1");
    JsonNode json = Protobuf.read(envelope("v1", "Secret", secret));
    assertThat(json.get("apiVersion").asText()).isEqualTo("v1");
    assertThat(json.get("kind").asText()).isEqualTo("Secret");
    assertThat(json.at("/metadata/name").asText()).isEqualTo("sh.helm.release.v1.bellhop.v1");
    assertThat(json.at("/metadata/namespace").asText()).isEqualTo("bellhop");
    assertThat(json.at("/metadata/labels/owner").asText()).isEqualTo("helm");
    assertThat(json.at("/metadata/labels/status").asText()).isEqualTo("deployed");
    assertThat(json.at("/metadata/creationTimestamp").asText()).isEqualTo("2026-12-04T17:58:01Z");
    assertThat(json.at("/metadata/finalizers/0").asText()).isEqualTo("a/finalizer");
    assertThat(json.at("/data/release").asText()).isEqualTo("SDRzSQ==");
    assertThat(json.get("type").asText()).isEqualTo("helm.sh/release.v1");
  }

  @Test
  void readsDeleteOptions() throws IOException {
    Message options =
        new Message().int64(1, 0).message(2, new Message().text(1, "u1")).text(4, "Foreground");
    JsonNode json = Protobuf.read(envelope("v1", "DeleteOptions", options));
    assertThat(json.get("propagationPolicy").asText()).isEqualTo("Foreground");
    assertThat(json.at("/preconditions/uid").asText()).isEqualTo("u1");
    assertThat(json.get("gracePeriodSeconds").asLong()).isZero();
  }

  @Test
  void readsTheAccessReviewsOfKubectlAuthCanI() throws IOException {
    Message attributes =
        new Message()
            .text(1, "bellhop")
            .text(2, "delete")
            .text(3, "bellhop.dev")
            .text(5, "hotelservices");
    JsonNode review = review("SelfSubjectAccessReview", new Message().message(1, attributes));
    assertThat(review.at("/spec/resourceAttributes/namespace").asText()).isEqualTo("bellhop");
    assertThat(review.at("/spec/resourceAttributes/verb").asText()).isEqualTo("delete");
    assertThat(review.at("/spec/resourceAttributes/group").asText()).isEqualTo("bellhop.dev");
    assertThat(review.at("/spec/resourceAttributes/resource").asText()).isEqualTo("hotelservices");
    JsonNode path =
        review(
            "SelfSubjectAccessReview",
            new Message().message(2, new Message().text(1, "/metrics").text(2, "get")));
    assertThat(path.at("/spec/nonResourceAttributes/path").asText()).isEqualTo("/metrics");
    JsonNode rules = review("SelfSubjectRulesReview", new Message().text(1, "bellhop"));
    assertThat(rules.at("/spec/namespace").asText()).isEqualTo("bellhop");
    assertThat(rules.get("kind").asText()).isEqualTo("SelfSubjectRulesReview");
  }

  /** An authorization.k8s.io/v1 review with this spec (field 2), as kubectl sends it. */
  private static JsonNode review(String kind, Message spec) throws IOException {
    return Protobuf.read(envelope("authorization.k8s.io/v1", kind, new Message().message(2, spec)));
  }

  @Test
  void otherKindsAreUnsupportedAndGarbageIsABadRequest() throws IOException {
    assertThatThrownBy(
            () -> Protobuf.read(envelope("apps/v1", "Deployment", new Message().text(3, "x"))))
        .isInstanceOf(ApiError.class)
        .hasMessageContaining("send Deployment as application/json")
        .extracting(e -> ((ApiError) e).code())
        .isEqualTo(415);
    assertThatThrownBy(
            () -> Protobuf.read("{\"kind\":\"Secret\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ApiError.class)
        .extracting(e -> ((ApiError) e).code())
        .isEqualTo(400);
  }
}
