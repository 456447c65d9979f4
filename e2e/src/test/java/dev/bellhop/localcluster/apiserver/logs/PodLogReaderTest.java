package dev.bellhop.localcluster.apiserver.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodLogReaderTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private static final String LOG =
      """
      2026-12-04T11:50:00.000000001Z stdout F geo listening on 127.0.1.5:8082
      2026-12-04T11:58:00.000000000Z stderr F WARN slow request
      not a CRI line
      2026-12-04T11:59:30.500000000Z stdout P half a\s
      2026-12-04T11:59:30.600000000Z stdout F line
      """;

  @TempDir Path dir;

  private static PodLogOptions options(String query) {
    return PodLogOptions.parse(
        RequestInfo.parse("GET", "/api/v1/namespaces/bellhop/pods/geo-1/log?" + query), NOW);
  }

  private String read(Path file, String query) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PodLogReader.copy(
        file,
        options(query),
        bytes -> {
          out.writeBytes(bytes);
          return true;
        });
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void servesTheTextOfEachLineAndFiltersAsTheKubeletDoes() throws Exception {
    Path file = Files.writeString(dir.resolve("geo.log"), LOG);
    assertThat(read(file, ""))
        .isEqualTo("geo listening on 127.0.1.5:8082\nWARN slow request\nhalf a line\n");
    assertThat(read(file, "tailLines=2")).isEqualTo("half a line\n");
    assertThat(read(file, "sinceSeconds=300")).isEqualTo("WARN slow request\nhalf a line\n");
    assertThat(read(file, "timestamps=true&tailLines=1"))
        .isEqualTo("2026-12-04T11:59:30.600000000Z line\n");
    assertThat(read(file, "limitBytes=10")).isEqualTo("geo listen");
    assertThat(read(file, "tailLines=0")).isEmpty();
  }

  @Test
  void badOptionsAre422() {
    assertThatThrownBy(() -> options("tailLines=-1"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(422));
    assertThatThrownBy(() -> options("sinceSeconds=0")).isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> options("sinceSeconds=5&sinceTime=2026-12-04T11:00:00Z"))
        .isInstanceOf(ApiError.class);
    assertThatThrownBy(() -> options("tailLines=ten")).isInstanceOf(ApiError.class);
  }

  @Test
  void followGoesOnWithNewLinesUntilTheRunsFileIsRotatedAway() throws Exception {
    Path file = Files.writeString(dir.resolve("geo.log"), LOG);
    StringBuffer seen = new StringBuffer();
    CompletableFuture<Void> follow =
        CompletableFuture.runAsync(
            () -> {
              try {
                PodLogReader.copy(
                    file,
                    options("follow=true&tailLines=1"),
                    bytes -> {
                      seen.append(new String(bytes, StandardCharsets.UTF_8));
                      return true;
                    });
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    org.awaitility.Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> seen.toString().equals("line\n"));
    Files.writeString(
        file, "2026-12-04T12:00:01.000000000Z stdout F next\n", StandardOpenOption.APPEND);
    org.awaitility.Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> seen.toString().equals("line\nnext\n"));
    assertThat(follow).isNotDone();
    // A restart: the kubelet moves this run's file aside and starts a new one.
    Files.move(file, dir.resolve("geo.previous.log"));
    Files.writeString(file, "2026-12-04T12:00:02.000000000Z stdout F new run\n");
    follow.get(5, TimeUnit.SECONDS);
    assertThat(seen.toString()).isEqualTo("line\nnext\n");
  }

  @Test
  void followEndsWhenTheClientHasGone() throws Exception {
    Path file = Files.writeString(dir.resolve("geo.log"), LOG);
    CompletableFuture<Void> follow =
        CompletableFuture.runAsync(
            () -> {
              try {
                PodLogReader.copy(file, options("follow=true"), bytes -> false);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    follow.get(5, TimeUnit.SECONDS);
  }
}
