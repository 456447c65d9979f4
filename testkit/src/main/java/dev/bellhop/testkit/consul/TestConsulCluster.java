package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Consul cluster (servers and client agents) on loopback, for tests and benchmarks.
 *
 * <p>Each node runs the consul binary ({@link ConsulBinary#locate()}) on its own address 127.A.B.n
 * with Consul's standard ports; the block 127.A.B.* is picked at random per cluster (A in 100..250)
 * and claimed machine-wide, so several JVMs can run clusters at once. Data, config and logs live
 * under {@code dataRoot/<cluster>/<node>/}. No process is ever left behind: a shutdown hook kills
 * the nodes, and each start sweeps clusters of JVMs that died without one.
 *
 * <p>This class is the fixture's face and its lifecycle; the parts live beside it: the config files
 * ({@link NodeConfigs}), the processes ({@link NodeProcesses}), readiness ({@link Readiness}), the
 * HTTP calls ({@link ConsulRequests}) and the shutdown hook ({@link LiveClusters}).
 */
public final class TestConsulCluster implements AutoCloseable {
  static final int SERVER_PORT = 8300;
  static final int SERF_LAN_PORT = 8301;
  static final int SERF_WAN_PORT = 8302;
  static final int HTTP_PORT = 8500;
  static final int DNS_PORT = 8600;

  /** Set to true to keep the data dirs (logs, raft data) of closed clusters. */
  public static final String KEEP_DATA_PROPERTY = "bellhop.consul.keepData";

  private static final System.Logger LOG = System.getLogger(TestConsulCluster.class.getName());
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path clusterDir;
  private final LoopbackBlock block;
  private final List<TestConsulNode> servers;
  private final List<TestConsulNode> agents;
  private final List<TestConsulNode> all;
  private final String aclToken;
  private final NodeConfigs configs;
  private final NodeProcesses processes;
  private final ConsulRequests http;
  private final Readiness readiness;
  private volatile boolean closed;

  /** A start or a wait failed: the data dir is kept for a post-mortem. */
  private volatile boolean failed;

  private volatile Duration startupTime = Duration.ZERO;

  private TestConsulCluster(Builder b, Path binary, Path clusterDir, LoopbackBlock block) {
    this.clusterDir = clusterDir;
    this.block = block;
    this.aclToken = b.aclToken;
    List<TestConsulNode> s = new ArrayList<>();
    List<TestConsulNode> a = new ArrayList<>();
    int n = 1;
    for (int i = 1; i <= b.servers; i++, n++) {
      s.add(
          new TestConsulNode(
              "server-" + i, block.address(n), true, clusterDir.resolve("server-" + i)));
    }
    for (int i = 1; i <= b.agents; i++, n++) {
      a.add(
          new TestConsulNode(
              "agent-" + i, block.address(n), false, clusterDir.resolve("agent-" + i)));
    }
    this.servers = Collections.unmodifiableList(s);
    this.agents = Collections.unmodifiableList(a);
    List<TestConsulNode> everything = new ArrayList<>(s);
    everything.addAll(a);
    this.all = Collections.unmodifiableList(everything);
    String extraConfig = b.extraConfig.toString();
    this.configs = new NodeConfigs(servers, extraConfig, b.nodeConfig);
    this.processes = new NodeProcesses(binary, b.nodeArgs);
    this.http = new ConsulRequests(aclToken);
    this.readiness = new Readiness(this, http, b.nodeConfig != null, () -> failed = true);
    if (aclToken == null && NodeConfigs.mentionsAcl(extraConfig)) {
      readiness.aclBlind();
    }
  }

  /** A builder with the defaults: 3 servers, 0 client agents, data under target/consul-test. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts {@code servers} servers and waits for a leader; same as {@code
   * builder().servers(n).start()}.
   */
  public static TestConsulCluster start(int servers) {
    return builder().servers(servers).start();
  }

  /** {@code <user.dir>/target/consul-test}. */
  public static Path defaultDataRoot() {
    return Path.of(System.getProperty("user.dir"))
        .toAbsolutePath()
        .resolve("target")
        .resolve("consul-test");
  }

  /** Kills consul processes of dead test JVMs found under {@code dataRoot} and the default root. */
  public static int sweepStale(Path dataRoot) {
    List<Path> roots = new ArrayList<>();
    roots.add(dataRoot.toAbsolutePath().normalize());
    Path def = defaultDataRoot();
    if (!roots.contains(def)) {
      roots.add(def);
    }
    return StaleClusterSweeper.sweep(roots);
  }

  // ---------------------------------------------------------------- accessors

  public List<TestConsulNode> servers() {
    return servers;
  }

  public List<TestConsulNode> agents() {
    return agents;
  }

  /** Servers then agents. */
  public List<TestConsulNode> nodes() {
    return all;
  }

  /** The cluster's own directory under the data root. */
  public Path dataDir() {
    return clusterDir;
  }

  /**
   * The loopback block, e.g. {@code 127.142.7}; nodes are {@code <block>.1}, {@code <block>.2}, ...
   */
  public String addressBlock() {
    return block.prefix();
  }

  /**
   * Time from launching the processes until the cluster was ready (leader, peers, agents joined).
   */
  public Duration startupTime() {
    return startupTime;
  }

  /** The current raft leader, asked from a running server via {@code /v1/status/leader}. */
  public TestConsulNode leader() {
    return readiness.leader();
  }

  /** {@code 127.A.B.n:8500} of the first running server. */
  public String httpAddress() {
    return readiness.firstRunningServer().httpAddress();
  }

  /** {@code http://} + {@link #httpAddress()}. */
  public String httpUrl() {
    return "http://" + httpAddress();
  }

  /** Address of the DNS interface of the first running server. */
  public String dnsHost() {
    return readiness.firstRunningServer().address();
  }

  public int dnsPort() {
    return DNS_PORT;
  }

  /** Consul's address list as a client would configure it: every server's {@code host:8500}. */
  public List<String> httpAddresses() {
    return servers.stream().map(TestConsulNode::httpAddress).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- tiny HTTP helpers

  /**
   * GET {@code path} (e.g. {@code /v1/catalog/services}) from the first running server; returns the
   * body.
   */
  public String httpGet(String path) {
    return request("GET", readiness.firstRunningServer(), path, null);
  }

  /** PUT {@code body} to {@code path} on the first running server; returns the response body. */
  public String httpPut(String path, String body) {
    return request("PUT", readiness.firstRunningServer(), path, body);
  }

  /** A request against a given node; throws {@link UncheckedIOException} on non-2xx. */
  public String request(String method, TestConsulNode node, String path, String body) {
    try {
      return http.send(method, node.httpUrl() + path, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Waits until a leader is elected and every running server is a raft peer and knows that leader.
   */
  public void awaitLeader(Duration timeout) {
    readiness.await(
        timeout, readiness::leaderProblem, "a leader with all running servers as peers");
  }

  private void boot() {
    long t0 = System.nanoTime();
    for (TestConsulNode n : all) {
      String config = configs.write(n);
      if (aclToken == null && NodeConfigs.mentionsAcl(config)) {
        readiness.aclBlind();
      }
    }
    for (TestConsulNode n : servers) {
      launch(n);
    }
    for (TestConsulNode n : agents) {
      launch(n);
    }
    awaitLeader(START_TIMEOUT);
    for (TestConsulNode a : agents) {
      readiness.await(START_TIMEOUT, () -> readiness.joinedProblem(a), a.name() + " to join");
    }
    startupTime = Duration.ofNanos(System.nanoTime() - t0);
    LOG.log(
        Level.DEBUG,
        () ->
            "consul cluster "
                + block.prefix()
                + ".* ("
                + servers.size()
                + " servers, "
                + agents.size()
                + " agents) ready in "
                + startupTime.toMillis()
                + " ms");
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  public synchronized void stop(TestConsulNode node) {
    processes.stop(own(node), false);
  }

  /** SIGKILL, waits for the exit. */
  public synchronized void kill(TestConsulNode node) {
    processes.stop(own(node), true);
  }

  /**
   * Starts the node again with the same address, config and data dir (stopping it first if it runs)
   * and waits until it rejoined: a leader exists, a server is a raft peer again, and the node is an
   * alive member that knows the leader.
   */
  public void restart(TestConsulNode node) {
    synchronized (this) {
      own(node);
      if (closed) {
        throw new IllegalStateException("cluster is closed");
      }
      if (node.isRunning()) {
        stop(node);
      }
      launch(node);
    }
    readiness.await(START_TIMEOUT, () -> readiness.joinedProblem(node), node.name() + " to rejoin");
  }

  /**
   * Every server stopped, its data directory wiped, and started again: a new raft cluster with an
   * empty catalog and no ACLs bootstrapped (as after lost volumes). Waits for the new leader.
   */
  public void restartServersAsNewCluster(Duration leaderTimeout) {
    for (TestConsulNode server : servers) {
      stop(server);
    }
    for (TestConsulNode server : servers) {
      Path data = server.dataDir().resolve("data");
      try (Stream<Path> files = Files.walk(data)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
        Files.createDirectories(data);
      } catch (IOException e) {
        throw new UncheckedIOException("could not wipe " + data, e);
      }
    }
    servers.forEach(this::startNode);
    awaitLeader(leaderTimeout);
  }

  /** Starts a stopped node again without waiting for it to rejoin. */
  public synchronized void startNode(TestConsulNode node) {
    if (!own(node).isRunning()) {
      launch(node);
    }
  }

  /**
   * Stops every node (agents with SIGKILL, then servers with SIGTERM), waits for the exits and
   * deletes the cluster dir (kept with -D{@value #KEEP_DATA_PROPERTY}=true or after a failed
   * start); idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      // Agents would gracefully leave on SIGTERM (several seconds of gossip); their state is thrown
      // away.
      processes.terminate(agents, true);
      processes.terminate(servers, false);
    } finally {
      LiveClusters.remove(this);
      block.release();
      if (!failed && !Boolean.getBoolean(KEEP_DATA_PROPERTY)) {
        OwnerFiles.deleteRecursively(clusterDir);
      } else {
        for (TestConsulNode n : all) {
          NodeProcesses.deletePidFile(n);
        }
      }
    }
  }

  /** From the JVM's shutdown hook: kill everything at once, no graceful leave. */
  void killForShutdown() {
    NodeProcesses.killForShutdown(all);
    block.release();
    if (!Boolean.getBoolean(KEEP_DATA_PROPERTY)) {
      OwnerFiles.deleteRecursively(clusterDir);
    }
  }

  private void launch(TestConsulNode n) {
    try {
      processes.launch(n);
    } catch (RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  private TestConsulNode own(TestConsulNode node) {
    if (!all.contains(Objects.requireNonNull(node, "node"))) {
      throw new IllegalArgumentException(node + " is not a node of " + this);
    }
    return node;
  }

  @Override
  public String toString() {
    return "TestConsulCluster["
        + block.prefix()
        + ".*, "
        + servers.size()
        + " servers, "
        + agents.size()
        + " agents, "
        + clusterDir
        + "]";
  }

  // ---------------------------------------------------------------- builder

  /** Configures and starts a {@link TestConsulCluster}. */
  public static final class Builder {
    private int servers = 3;
    private int agents = 0;
    private final StringBuilder extraConfig = new StringBuilder();
    private Path dataRoot;
    private String aclToken;
    private BiFunction<TestConsulNode, List<TestConsulNode>, String> nodeConfig;
    private Function<TestConsulNode, List<String>> nodeArgs;

    private Builder() {}

    /**
     * Runs each node with a configuration of your own instead of the generated one (e.g. the
     * configuration an operator renders, with addresses mapped onto the node's): the function gets
     * the node (its {@code address()}, {@code dataDir()}, {@code name()}) and the cluster's servers
     * and returns the text of its config file (HCL, or JSON, which Consul's HCL parser reads too).
     * {@link #extraConfig} is not added. The fixture's addresses, ports 8300/8301/8302/8500/8600
     * and process hygiene stay as they are, so the config should use them.
     */
    public Builder nodeConfig(BiFunction<TestConsulNode, List<TestConsulNode>, String> config) {
      this.nodeConfig = config;
      return this;
    }

    /** Command-line arguments added after {@code agent -config-file=<file>} for each node. */
    public Builder nodeArgs(Function<TestConsulNode, List<String>> args) {
      this.nodeArgs = args;
      return this;
    }

    /** Number of servers (default 3; bootstrap_expect = n). */
    public Builder servers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("servers must be >= 1: " + n);
      }
      this.servers = n;
      return this;
    }

    /** Number of client agents (default 0). */
    public Builder agents(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("agents must be >= 0: " + n);
      }
      this.agents = n;
      return this;
    }

    /**
     * HCL appended to every node's config (e.g. {@code acl { ... }}, {@code encrypt = "..."}); may
     * be called repeatedly.
     */
    public Builder extraConfig(String hcl) {
      extraConfig.append(hcl).append('\n');
      return this;
    }

    /**
     * Token the fixture itself sends (X-Consul-Token) while waiting for readiness, e.g. the ACL
     * master token set in {@link #extraConfig}. Without it, a cluster with an {@code acl} block is
     * awaited through the ACL-free status endpoints only.
     */
    public Builder aclToken(String token) {
      this.aclToken = token;
      return this;
    }

    /**
     * ACLs on, default deny, with {@code masterToken} as the master (and the fixture's own) token:
     * the set-up of every test that checks a token reaches Consul.
     */
    public Builder aclDefaultDeny(String masterToken) {
      return extraConfig(
              "acl {\n  enabled = true\n  default_policy = \"deny\"\n  tokens {\n    master = \""
                  + masterToken
                  + "\"\n  }\n}")
          .aclToken(masterToken);
    }

    /** Where cluster dirs go (default {@code <user.dir>/target/consul-test}). */
    public Builder dataRoot(Path dir) {
      this.dataRoot = dir;
      return this;
    }

    /**
     * Starts the nodes and blocks until a leader is elected (60 s at most) and the agents joined.
     */
    public TestConsulCluster start() {
      if (servers + agents > 254) {
        throw new IllegalArgumentException("at most 254 nodes");
      }
      Path binary = ConsulBinary.locate();
      Path root = (dataRoot == null ? defaultDataRoot() : dataRoot).toAbsolutePath().normalize();
      sweepStale(root);
      String id =
          LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
              + "-"
              + OwnerFiles.myPid()
              + "-"
              + Long.toString(System.nanoTime() & 0xffffff, 36);
      LoopbackBlock block = LoopbackBlock.claim(servers + agents);
      Path clusterDir = root.resolve(id + "-" + block.a + "-" + block.b);
      try {
        Files.createDirectories(clusterDir);
        OwnerFiles.writeOwnerFile(clusterDir);
        block.recordDir(clusterDir);
      } catch (IOException | RuntimeException e) {
        block.release();
        throw new IllegalStateException("cannot create " + clusterDir, e);
      }
      TestConsulCluster c = new TestConsulCluster(this, binary, clusterDir, block);
      LiveClusters.add(c);
      try {
        c.boot();
        return c;
      } catch (RuntimeException | Error e) {
        c.failed = true;
        c.close();
        throw e;
      }
    }
  }
}
