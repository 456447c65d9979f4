package dev.bellhop.localcluster.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.localcluster.network.PodNetwork;
import dev.bellhop.testkit.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's termination message: its path mapped onto a file of the pod the process can write,
 * and read back at its exit as the kubelet reads it.
 */
@EnableKubernetesMockClient(crud = true)
class TerminationMessageTest {
  static {
    MockApiServer.quietLogs();
  }

  KubernetesClient client;
  @TempDir Path dir;

  @Test
  void theDefaultPathIsAnEmptyFileOfThePodThatTheProcessWrites() throws Exception {
    Path podDir = dir.resolve("pod");
    PodSandbox sandbox = sandbox(pod(null), podDir);
    Path file = podDir.resolve("geo.termination-log");
    Files.createDirectories(podDir);
    Files.writeString(file, "the last run's message");

    sandbox.prepare();

    assertThat(sandbox.terminationLog()).isEqualTo(file);
    assertThat(file).isRegularFile().isEmptyFile();
    assertThat(sandbox.map("--report=/dev/termination-log")).isEqualTo("--report=" + file);
    assertThat(sandbox.map("/dev/termination-logs")).isEqualTo("/dev/termination-logs");

    Process p =
        new ProcessBuilder(
                "sh", "-c", "printf 'bye\\n' > \"$0\"; exit 3", sandbox.map("/dev/termination-log"))
            .start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(TerminationMessage.read(file, "File", p.exitValue(), () -> "log"))
        .as("kept as written: the kubelet trims nothing")
        .isEqualTo("bye\n");
  }

  @Test
  void aPathOfItsOwnIsMappedToo() {
    Path podDir = dir.resolve("pod");
    PodSandbox sandbox = sandbox(pod("/var/run/why"), podDir);
    assertThat(sandbox.map("-why=/var/run/why"))
        .isEqualTo("-why=" + podDir.resolve("geo.termination-log"));
    assertThat(sandbox.map("/dev/termination-log")).isEqualTo("/dev/termination-log");
  }

  @Test
  void onlyTheLast4KiBAreKept() throws Exception {
    Path file = dir.resolve("message");
    Files.writeString(file, "x".repeat(100) + "y".repeat(4096));
    assertThat(TerminationMessage.read(file, "File", 1, () -> "log")).isEqualTo("y".repeat(4096));
  }

  @Test
  void theLogIsTheFallbackOnlyForAFailureThatWroteNothing() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty"));
    Path written = Files.writeString(dir.resolve("written"), "done");
    String fallback = TerminationMessage.FALLBACK_TO_LOGS_ON_ERROR;

    assertThat(TerminationMessage.read(empty, fallback, 1, () -> "log")).isEqualTo("log");
    assertThat(TerminationMessage.read(dir.resolve("missing"), fallback, 1, () -> "log"))
        .isEqualTo("log");
    assertThat(TerminationMessage.read(empty, fallback, 0, () -> "log")).isEmpty();
    assertThat(TerminationMessage.read(written, fallback, 1, () -> "log")).isEqualTo("done");
    assertThat(TerminationMessage.read(empty, "File", 1, () -> "log")).isEmpty();
    assertThat(TerminationMessage.read(empty, null, 1, () -> "log")).isEmpty();
  }

  @Test
  void theLogsTailIsItsLast80LinesAtMost2KiB() throws Exception {
    Path log = dir.resolve("geo.log");
    Files.writeString(log, criLog(100, ""));
    assertThat(TerminationMessage.logTail(log))
        .isEqualTo(
            IntStream.rangeClosed(21, 100)
                .mapToObj(i -> "line " + i + "\n")
                .collect(Collectors.joining()));

    Files.writeString(log, criLog(100, "-".repeat(50)));
    String tail = TerminationMessage.logTail(log);
    assertThat(tail.getBytes(StandardCharsets.UTF_8)).hasSize(2048);
    assertThat(tail).endsWith("line 100" + "-".repeat(50) + "\n");
  }

  private static String criLog(int lines, String padding) {
    return IntStream.rangeClosed(1, lines)
        .mapToObj(
            i ->
                ContainerLog.TIMESTAMP.format(Instant.now())
                    + (i % 2 == 0 ? " stdout" : " stderr")
                    + " F line "
                    + i
                    + padding
                    + "\n")
        .collect(Collectors.joining());
  }

  private PodSandbox sandbox(Pod pod, Path podDir) {
    return new PodSandbox(
        client,
        new PodNetwork(client),
        pod,
        "127.0.1.7",
        "127.0.0.2",
        podDir,
        dir.resolve("claims"));
  }

  private static Pod pod(String terminationMessagePath) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("geo-0")
        .withNamespace("ns")
        .withUid("pod-uid")
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName("geo")
        .withImage("bellhop/geo")
        .withTerminationMessagePath(terminationMessagePath)
        .endContainer()
        .endSpec()
        .build();
  }
}
