package dev.bellhop.localcluster.apiserver.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.bellhop.localcluster.apiserver.ApiError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bodies built field by field as client-go's generated marshalling writes them. */
class KubeProtobufTest {
  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writer writer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    writer.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] envelope(String apiVersion, String kind, byte[] raw) throws IOException {
    byte[] typeMeta = message(o -> {
      o.writeString(1, apiVersion);
      o.writeString(2, kind);
    });
    byte[] unknown = message(o -> {
      o.writeByteArray(1, typeMeta);
      o.writeByteArray(2, raw);
      o.writeString(4, "application/vnd.kubernetes.protobuf");
    });
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(new byte[] {'k', '8', 's', 0});
    body.write(unknown);
    return body.toByteArray();
  }

  @Test
  void helmsReleaseSecretReadsAsItsJson() throws Exception {
    byte[] labels = message(o -> {
      o.writeString(1, "owner");
      o.writeString(2, "helm");
    });
    byte[] time = message(o -> o.writeInt64(1, 1796385600L));
    byte[] meta = message(o -> {
      o.writeString(1, "sh.helm.release.v1.bellhop.v1");
      o.writeString(3, "bellhop");
      o.writeByteArray(8, time);
      o.writeByteArray(11, labels);
      o.writeString(14, "kubernetes");
    });
    byte[] data = message(o -> {
      o.writeString(1, "release");
      o.writeBytes(2, ByteString.copyFrom("H4sI", StandardCharsets.UTF_8));
    });
    byte[] secret = message(o -> {
      o.writeByteArray(1, meta);
      o.writeByteArray(2, data);
      o.writeString(3, "helm.sh/release.v1");
      o.writeString(99, "a field this reader does not know");
    });
    JsonNode json = KubeProtobuf.read(envelope("v1", "Secret", secret));
    assertThat(json.path("apiVersion").asText()).isEqualTo("v1");
    assertThat(json.path("kind").asText()).isEqualTo("Secret");
    assertThat(json.path("type").asText()).isEqualTo("helm.sh/release.v1");
    assertThat(json.path("data").path("release").asText()).isEqualTo("SDRzSQ==");
    JsonNode metadata = json.path("metadata");
    assertThat(metadata.path("name").asText()).isEqualTo("sh.helm.release.v1.bellhop.v1");
    assertThat(metadata.path("namespace").asText()).isEqualTo("bellhop");
    assertThat(metadata.path("labels").path("owner").asText()).isEqualTo("helm");
    assertThat(metadata.path("finalizers").get(0).asText()).isEqualTo("kubernetes");
    assertThat(metadata.path("creationTimestamp").asText()).isEqualTo("2026-12-04T12:00:00Z");
  }

  @Test
  void aNamespaceAndOtherKindsOrGarbage() throws Exception {
    byte[] meta = message(o -> o.writeString(1, "bellhop"));
    JsonNode ns = KubeProtobuf.read(envelope("v1", "Namespace", message(o -> o.writeByteArray(1, meta))));
    assertThat(ns.path("metadata").path("name").asText()).isEqualTo("bellhop");
    JsonNode delete = KubeProtobuf.read(envelope("v1", "DeleteOptions", message(o -> {
      o.writeString(4, "Background");
      o.writeString(5, "All");
    })));
    assertThat(delete.path("propagationPolicy").asText()).isEqualTo("Background");
    assertThat(delete.path("dryRun").get(0).asText()).isEqualTo("All");
    assertThatThrownBy(() -> KubeProtobuf.read(envelope("apps/v1", "Deployment", new byte[0])))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.code()).isEqualTo(415);
          assertThat(e.getMessage()).contains("v1/Secret").contains("apps/v1 Deployment");
        });
    assertThatThrownBy(() -> KubeProtobuf.read("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(400));
  }
}
