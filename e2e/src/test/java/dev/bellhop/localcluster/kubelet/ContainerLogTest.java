package dev.bellhop.localcluster.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLogTest {
  @TempDir Path pod;

  private static Process run(String script) throws Exception {
    return new ProcessBuilder("sh", "-c", script).start();
  }

  @Test
  void eachLineIsTimestampedWithItsStreamAndARestartKeepsTheLastRun() throws Exception {
    Process first = run("echo started; echo oops >&2; printf 'no newline'");
    ContainerLog log = ContainerLog.start(pod, "geo");
    log.pump(first, "first");
    first.waitFor(5, TimeUnit.SECONDS);
    Path current = ContainerLog.current(pod, "geo");
    Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> Files.readAllLines(current).size() == 3);
    List<String> lines = Files.readAllLines(current);
    assertThat(lines)
        .anyMatch(
            l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F started"));
    assertThat(lines).anyMatch(l -> l.endsWith(" stderr F oops"));
    assertThat(lines).anyMatch(l -> l.endsWith(" stdout F no newline"));

    Process second = run("echo again");
    ContainerLog next = ContainerLog.start(pod, "geo");
    next.pump(second, "second");
    second.waitFor(5, TimeUnit.SECONDS);
    Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> Files.readAllLines(current).size() == 1);
    assertThat(Files.readAllLines(current).get(0)).endsWith(" stdout F again");
    assertThat(Files.readAllLines(ContainerLog.previous(pod, "geo"))).hasSize(3);
  }
}
