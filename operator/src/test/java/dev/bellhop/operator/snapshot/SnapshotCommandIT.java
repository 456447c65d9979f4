package dev.bellhop.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.testkit.consul.ConsulClusterExtension;
import dev.bellhop.testkit.consul.TestConsulCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a snapshot Job and a restore Job run, against a real Consul with default-deny ACLs: the
 * snapshot lands in the claim with its checksum and a report, and a restore brings back what was
 * deleted after it; a snapshot that fails its checksum is never sent to Consul.
 */
class SnapshotCommandIT {
  private static final String TOKEN = "7a1c9e54-3b7d-4f0e-8f6a-2d9b1c0e5a44";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final ConsulClusterExtension CONSUL =
      new ConsulClusterExtension(TestConsulCluster.builder().servers(1).aclDefaultDeny(TOKEN));

  @TempDir Path claim;

  @Test
  void aSavedSnapshotRestoresWhatWasDeletedSince() throws IOException {
    TestConsulCluster consul = CONSUL.cluster();
    Files.writeString(claim.resolve("token"), TOKEN + "\n");
    consul.httpPut("/v1/kv/bellhop/greeting", "hello");

    Path report = claim.resolve("report");
    int saved =
        run("save", "--dir=" + claim, "--cluster=consul", "--retain=2", "--report=" + report);

    assertThat(saved).as(Files.readString(report)).isZero();
    JsonNode snapshot = JSON.readTree(Files.readString(report));
    String file = snapshot.path("file").asText();
    assertThat(file).matches("consul-\\d{8}T\\d{6}Z\\.snap");
    assertThat(snapshot.path("bytes").asLong()).isEqualTo(Files.size(claim.resolve(file)));
    assertThat(snapshot.path("index").asLong()).isPositive();
    assertThat(SnapshotFiles.verify(claim.resolve(file)))
        .isEqualTo(snapshot.path("sha256").asText());

    consul.request("DELETE", consul.leader(), "/v1/kv/bellhop/greeting", null);
    assertThat(kv()).isNull();

    int restored = run("restore", "--file=" + claim.resolve(file), "--report=" + report);

    assertThat(restored).as(Files.readString(report)).isZero();
    assertThat(kv()).isEqualTo("hello");
    assertThat(JSON.readTree(Files.readString(report)).path("sha256").asText())
        .isEqualTo(snapshot.path("sha256").asText());
  }

  @Test
  void aSnapshotThatFailsItsChecksumIsNotRestored() throws IOException {
    TestConsulCluster consul = CONSUL.cluster();
    Files.writeString(claim.resolve("token"), TOKEN);
    Path report = claim.resolve("report");
    assertThat(run("save", "--dir=" + claim, "--cluster=consul", "--report=" + report)).isZero();
    String file = JSON.readTree(Files.readString(report)).path("file").asText();
    consul.httpPut("/v1/kv/bellhop/after", "kept");
    Files.write(claim.resolve(file), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

    int code = run("restore", "--file=" + claim.resolve(file), "--report=" + report);

    assertThat(code).isEqualTo(1);
    assertThat(Files.readString(report)).contains(file + " fails its checksum");
    assertThat(consul.httpGet("/v1/kv/bellhop/after?raw")).as("Consul untouched").isEqualTo("kept");
  }

  @Test
  void withoutTheTokenConsulRefusesAndTheReportSaysSo() throws IOException {
    Path report = claim.resolve("report");
    int code =
        SnapshotCommand.run(
            new String[] {
              "snapshot",
              "save",
              "--consul=" + CONSUL.cluster().httpUrl(),
              "--dir=" + claim,
              "--cluster=consul",
              "--report=" + report
            });
    assertThat(code).isEqualTo(1);
    assertThat(Files.readString(report)).startsWith("Consul refused to save a snapshot: HTTP 403");
  }

  private int run(String verb, String... flags) {
    String[] args = new String[flags.length + 4];
    args[0] = "snapshot";
    args[1] = verb;
    args[2] = "--consul=" + CONSUL.cluster().httpUrl();
    args[3] = "--token-file=" + claim.resolve("token");
    System.arraycopy(flags, 0, args, 4, flags.length);
    return SnapshotCommand.run(args);
  }

  private static String kv() {
    try {
      return CONSUL.cluster().httpGet("/v1/kv/bellhop/greeting?raw");
    } catch (UncheckedIOException e) {
      return null; // 404
    }
  }
}
