package dev.bellhop.localcluster.kubelet;

import dev.bellhop.testkit.consul.ConsulBinary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local stand-in for pulling and running an image: Bellhop's images run the jar the build made
 * ({@code bellhop/<name>} → {@code services/<name>/target/<name>.jar}, the operator's {@code
 * operator/target/bellhop-operator.jar}) with the image's entrypoint, {@code java -jar}; Consul's
 * image runs the consul binary of {@code make consul}. Memory and CPU limits become the JVM's view
 * of its container ({@code -XX:MaxRAM}, {@code -XX:ActiveProcessorCount}).
 */
final class ContainerCommand {
  private static final Pattern BELLHOP = Pattern.compile("(?:.*/)?bellhop/([a-z-]+)(?::.*)?");
  private static final Pattern CONSUL = Pattern.compile("(?:.*/)?consul(?::.*)?");

  private ContainerCommand() {}

  /** The command line of a container, its $(VAR)s expanded and mapped onto the sandbox. */
  static List<String> of(Container c, Map<String, String> env, PodSandbox sandbox, Path repoRoot) {
    List<String> args = new ArrayList<>();
    for (String a : c.getArgs() == null ? List.<String>of() : c.getArgs()) {
      args.add(sandbox.map(PodSandbox.expand(a, env)));
    }
    List<String> command = new ArrayList<>();
    Matcher bellhop = BELLHOP.matcher(c.getImage());
    if (bellhop.matches()) {
      if (c.getCommand() != null && !c.getCommand().isEmpty()) {
        throw new IllegalArgumentException(
            "image "
                + c.getImage()
                + " runs its entrypoint in the local cluster; "
                + "set args, not command");
      }
      String name = bellhop.group(1);
      Path jar =
          name.equals("operator")
              ? repoRoot.resolve("operator/target/bellhop-operator.jar")
              : repoRoot.resolve("services").resolve(name).resolve("target").resolve(name + ".jar");
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            "image " + c.getImage() + ": " + jar + " is not built (run `make build`)");
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmLimits(c));
      command.add("-jar");
      command.add(jar.toString());
    } else if (CONSUL.matcher(c.getImage()).matches()) {
      List<String> given = c.getCommand() == null ? List.of() : c.getCommand();
      if (!given.isEmpty() && !given.get(0).equals("consul")) {
        throw new IllegalArgumentException(
            "image " + c.getImage() + ": the local cluster runs only `consul`");
      }
      command.add(ConsulBinary.locate().toString());
      given.stream().skip(1).map(a -> sandbox.map(PodSandbox.expand(a, env))).forEach(command::add);
    } else {
      throw new IllegalArgumentException(
          "image "
              + c.getImage()
              + " has no local runtime: the local cluster runs "
              + "bellhop/* images from this build and Consul");
    }
    command.addAll(args);
    return command;
  }

  private static List<String> jvmLimits(Container c) {
    List<String> flags = new ArrayList<>();
    Map<String, Quantity> limits = c.getResources() == null ? null : c.getResources().getLimits();
    if (limits == null) {
      return flags;
    }
    if (limits.get("memory") != null) {
      flags.add("-XX:MaxRAM=" + Quantity.getAmountInBytes(limits.get("memory")).longValue());
    }
    if (limits.get("cpu") != null) {
      double cpus = Quantity.getAmountInBytes(limits.get("cpu")).doubleValue();
      flags.add("-XX:ActiveProcessorCount=" + Math.max(1, (int) Math.ceil(cpus)));
    }
    return flags;
  }
}
