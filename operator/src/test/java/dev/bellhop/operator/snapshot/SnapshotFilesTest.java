package dev.bellhop.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFilesTest {
  @TempDir Path dir;

  @Test
  void aWrittenSnapshotCarriesAChecksumThatSha256sumReads() throws IOException {
    var w = write("consul", Instant.parse("2026-12-05T03:04:05Z"), "state");
    assertThat(w.file()).isEqualTo("consul-20261205T030405Z.snap");
    assertThat(w.bytes()).isEqualTo(5);
    assertThat(Files.readString(dir.resolve(w.file() + ".sha256")))
        .isEqualTo(w.sha256() + "  " + w.file() + "\n");
    assertThat(SnapshotFiles.verify(dir.resolve(w.file()))).isEqualTo(w.sha256());
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no partial left behind")
          .containsExactlyInAnyOrder(w.file(), w.file() + ".sha256");
    }
  }

  @Test
  void aChangedSnapshotFailsItsChecksumNamingBoth() throws IOException {
    var w = write("consul", Instant.parse("2026-12-05T03:04:05Z"), "state");
    Files.writeString(dir.resolve(w.file()), "stale");
    assertThatThrownBy(() -> SnapshotFiles.verify(dir.resolve(w.file())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("consul-20261205T030405Z.snap fails its checksum")
        .hasMessageContaining(w.sha256());
  }

  @Test
  void aMissingSnapshotOrChecksumIsNamed() throws IOException {
    assertThatThrownBy(() -> SnapshotFiles.verify(dir.resolve("consul-20261205T030405Z.snap")))
        .hasMessageContaining("not found in the backup claim");
    var w = write("consul", Instant.parse("2026-12-05T03:04:05Z"), "state");
    Files.delete(dir.resolve(w.file() + ".sha256"));
    assertThatThrownBy(() -> SnapshotFiles.verify(dir.resolve(w.file())))
        .hasMessageContaining("has no " + w.file() + ".sha256");
  }

  @Test
  void retentionKeepsTheNewestOfThisClusterOnly() throws IOException {
    for (int hour = 1; hour <= 4; hour++) {
      write("consul", Instant.parse("2026-12-05T0" + hour + ":00:00Z"), "s" + hour);
    }
    write("other", Instant.parse("2026-12-01T00:00:00Z"), "theirs");
    Files.writeString(dir.resolve("notes.txt"), "mine");

    assertThat(SnapshotFiles.prune(dir, "consul", 2))
        .containsExactly("consul-20261205T010000Z.snap", "consul-20261205T020000Z.snap");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "consul-20261205T030000Z.snap",
              "consul-20261205T030000Z.snap.sha256",
              "consul-20261205T040000Z.snap",
              "consul-20261205T040000Z.snap.sha256",
              "other-20261201T000000Z.snap",
              "other-20261201T000000Z.snap.sha256",
              "notes.txt");
    }
  }

  private SnapshotFiles.Written write(String cluster, Instant time, String content)
      throws IOException {
    return SnapshotFiles.write(
        new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
        dir,
        SnapshotFiles.name(cluster, time));
  }
}
