package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The config file of each node: generated (its address, Consul's standard ports, retry_join to the
 * other servers, quick elections) plus the builder's extra HCL, or the caller's own text.
 */
final class NodeConfigs {
  private static final Pattern ACL_CONFIG = Pattern.compile("(?m)^\\s*acl\\s*[{=]|\"acl\"\\s*:");

  private final List<TestConsulNode> servers;
  private final String extraConfig;

  /** Replaces the generated config of each node (null: generated). */
  private final BiFunction<TestConsulNode, List<TestConsulNode>, String> custom;

  NodeConfigs(
      List<TestConsulNode> servers,
      String extraConfig,
      BiFunction<TestConsulNode, List<TestConsulNode>, String> custom) {
    this.servers = servers;
    this.extraConfig = extraConfig;
    this.custom = custom;
  }

  /**
   * Whether a config (HCL or JSON) turns ACLs on, so that reads without a token may be filtered.
   */
  static boolean mentionsAcl(String config) {
    return ACL_CONFIG.matcher(config).find();
  }

  /** Writes {@code n}'s config file (creating its data dir) and returns its text. */
  String write(TestConsulNode n) {
    String text = custom != null ? custom.apply(n, servers) : generated(n);
    try {
      Files.createDirectories(n.dataDir().resolve("data"));
      Files.writeString(n.configFile(), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + n.configFile(), e);
    }
    return text;
  }

  private String generated(TestConsulNode n) {
    StringBuilder c = new StringBuilder();
    c.append("# written by bellhop-testkit (dev.bellhop.testkit.consul.TestConsulCluster)\n");
    c.append("node_name = ").append(q(n.name())).append('\n');
    c.append("datacenter = \"dc1\"\n");
    c.append("data_dir = ").append(q(n.dataDir().resolve("data").toString())).append('\n');
    c.append("server = ").append(n.server()).append('\n');
    if (n.server()) {
      c.append("bootstrap_expect = ").append(servers.size()).append('\n');
      c.append("leave_on_terminate = false\n");
    }
    c.append("bind_addr = ").append(q(n.address())).append('\n');
    c.append("client_addr = ").append(q(n.address())).append('\n');
    c.append("advertise_addr = ").append(q(n.address())).append('\n');
    List<String> join =
        servers.stream()
            .filter(s -> s != n)
            .map(TestConsulNode::address)
            .map(NodeConfigs::q)
            .collect(Collectors.toList());
    if (!join.isEmpty()) {
      c.append("retry_join = [").append(String.join(", ", join)).append("]\n");
      c.append("retry_interval = \"200ms\"\n");
    }
    c.append("ports {\n  server = ")
        .append(TestConsulCluster.SERVER_PORT)
        .append("\n  serf_lan = ")
        .append(TestConsulCluster.SERF_LAN_PORT)
        .append("\n  serf_wan = ")
        .append(TestConsulCluster.SERF_WAN_PORT)
        .append("\n  http = ")
        .append(TestConsulCluster.HTTP_PORT)
        .append("\n  dns = ")
        .append(TestConsulCluster.DNS_PORT)
        .append("\n  https = -1\n  grpc = -1\n}\n");
    c.append("performance {\n  raft_multiplier = 1\n}\n");
    c.append("log_level = \"warn\"\n");
    c.append("disable_update_check = true\n");
    c.append("ui = true\n");
    if (!extraConfig.isBlank()) {
      c.append("\n# extraConfig\n").append(extraConfig).append('\n');
    }
    return c.toString();
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
