package dev.bellhop.testkit.consul;

import java.nio.file.Path;

/**
 * One consul agent (server or client) of a {@link TestConsulCluster}, on its own loopback address.
 */
public final class TestConsulNode {
  private final String name;
  private final String address;
  private final boolean server;
  private final Path dataDir;
  private volatile Process process;

  /** True while the fixture wants it running: a death while true is a failure. */
  volatile boolean wanted;

  TestConsulNode(String name, String address, boolean server, Path dataDir) {
    this.name = name;
    this.address = address;
    this.server = server;
    this.dataDir = dataDir;
  }

  /** Consul node name, e.g. {@code server-1} or {@code agent-1}. */
  public String name() {
    return name;
  }

  /** The node's loopback address, 127.A.B.n. */
  public String address() {
    return address;
  }

  public int httpPort() {
    return TestConsulCluster.HTTP_PORT;
  }

  public int dnsPort() {
    return TestConsulCluster.DNS_PORT;
  }

  /** Raft/server RPC port (8300). */
  public int serverPort() {
    return TestConsulCluster.SERVER_PORT;
  }

  /** Serf LAN port (8301). */
  public int serfLanPort() {
    return TestConsulCluster.SERF_LAN_PORT;
  }

  /** {@code address:8500}. */
  public String httpAddress() {
    return address + ":" + httpPort();
  }

  /** {@code http://address:8500}. */
  public String httpUrl() {
    return "http://" + httpAddress();
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Pid of the current consul process, or -1 if it was never started. */
  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /**
   * The node's directory: config ({@code consul.hcl}), log ({@code consul.log}), pid file, {@code
   * data/}.
   */
  public Path dataDir() {
    return dataDir;
  }

  public boolean server() {
    return server;
  }

  /** The consul log of this node (stdout and stderr of the process). */
  public Path logFile() {
    return dataDir.resolve("consul.log");
  }

  public Path configFile() {
    return dataDir.resolve("consul.hcl");
  }

  Process process() {
    return process;
  }

  void process(Process p) {
    this.process = p;
  }

  @Override
  public String toString() {
    return name + "@" + address + (isRunning() ? " (pid " + pid() + ")" : " (stopped)");
  }
}
