package dev.bellhop.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.testing.Kube;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed crds/ must be exactly what the model generates; `make crds` refreshes them. */
class CrdFilesTest {
  @Test
  void committedCrdsMatchTheModel() throws IOException {
    Path generated = Path.of("target/classes/META-INF/fabric8");
    Path committed = Kube.repoRoot().resolve("crds");
    List<Path> files;
    try (var list = Files.list(generated)) {
      files = list.filter(f -> f.getFileName().toString().endsWith("-v1.yml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      Path mine = committed.resolve(file.getFileName());
      assertThat(mine).as("crds/%s is missing: run `make crds`", file.getFileName()).exists();
      assertThat(Files.readString(mine))
          .as("crds/%s is out of date: run `make crds`", file.getFileName())
          .isEqualTo(Files.readString(file));
    }
    try (var list = Files.list(committed)) {
      assertThat(list.map(p -> p.getFileName().toString()))
          .as("crds/ holds a file the model no longer generates")
          .containsExactlyInAnyOrderElementsOf(
              files.stream().map(p -> p.getFileName().toString()).toList());
    }
  }
}
