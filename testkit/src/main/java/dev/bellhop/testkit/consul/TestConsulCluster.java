package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Consul cluster (servers and client agents) on loopback, for tests and benchmarks.
 *
 * <p>Each node runs the consul binary ({@link ConsulBinary#locate()}) on its own address
 * 127.A.B.n with Consul's standard ports; the block 127.A.B.* is picked at random per cluster
 * (A in 100..250) and claimed machine-wide, so several JVMs can run clusters at once. Data, config
 * and logs live under {@code dataRoot/<cluster>/<node>/}. No process is ever left behind: a
 * shutdown hook kills the nodes, and each start sweeps clusters of JVMs that died without one.
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
  private static final long POLL_MILLIS = 50;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final Pattern ACL_CONFIG = Pattern.compile("(?m)^\\s*acl\\s*[{=]|\"acl\"\\s*:");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1))
      .build();

  private static final Set<TestConsulCluster> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (TestConsulCluster c : LIVE) {
        c.killForShutdown();
      }
    }, "bellhop-consul-shutdown"));
  }

  private final Path binary;
  private final Path clusterDir;
  private final LoopbackBlock block;
  private final List<TestConsulNode> servers;
  private final List<TestConsulNode> agents;
  private final List<TestConsulNode> all;
  private final String extraConfig;
  private final String aclToken;
  /** ACL configured but no token given: catalog/members reads may be filtered, skip them. */
  private volatile boolean aclBlind;
  /** Replaces the generated config of each node (null: generated). */
  private final BiFunction<TestConsulNode, List<TestConsulNode>, String> nodeConfig;
  /** Extra command-line arguments of each node (null: none). */
  private final Function<TestConsulNode, List<String>> nodeArgs;
  private volatile boolean closed;
  private volatile boolean failed;
  private volatile Duration startupTime = Duration.ZERO;

  private TestConsulCluster(Builder b, Path binary, Path clusterDir, LoopbackBlock block) {
    this.binary = binary;
    this.clusterDir = clusterDir;
    this.block = block;
    this.extraConfig = b.extraConfig.toString();
    this.aclToken = b.aclToken;
    this.aclBlind = aclToken == null && ACL_CONFIG.matcher(extraConfig).find();
    this.nodeConfig = b.nodeConfig;
    this.nodeArgs = b.nodeArgs;
    List<TestConsulNode> s = new ArrayList<>();
    List<TestConsulNode> a = new ArrayList<>();
    int n = 1;
    for (int i = 1; i <= b.servers; i++, n++) {
      s.add(new TestConsulNode("server-" + i, block.address(n), true, clusterDir.resolve("server-" + i)));
    }
    for (int i = 1; i <= b.agents; i++, n++) {
      a.add(new TestConsulNode("agent-" + i, block.address(n), false, clusterDir.resolve("agent-" + i)));
    }
    this.servers = Collections.unmodifiableList(s);
    this.agents = Collections.unmodifiableList(a);
    List<TestConsulNode> everything = new ArrayList<>(s);
    everything.addAll(a);
    this.all = Collections.unmodifiableList(everything);
  }

  /** A builder with the defaults: 3 servers, 0 client agents, data under target/consul-test. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts {@code servers} servers and waits for a leader; same as {@code builder().servers(n).start()}. */
  public static TestConsulCluster start(int servers) {
    return builder().servers(servers).start();
  }

  /** {@code <user.dir>/target/consul-test}. */
  public static Path defaultDataRoot() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("target").resolve("consul-test");
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

  /** The loopback block, e.g. {@code 127.142.7}; nodes are {@code <block>.1}, {@code <block>.2}, ... */
  public String addressBlock() {
    return block.prefix();
  }

  /** Time from launching the processes until the cluster was ready (leader, peers, agents joined). */
  public Duration startupTime() {
    return startupTime;
  }

  /** The current raft leader, asked from a running server via {@code /v1/status/leader}. */
  public TestConsulNode leader() {
    IOException last = null;
    for (TestConsulNode s : runningServers()) {
      try {
        String leader = leaderOf(s);
        if (leader.isEmpty()) {
          continue;
        }
        TestConsulNode n = serverByRaftAddress(leader);
        if (n != null) {
          return n;
        }
        throw new IllegalStateException("leader " + leader + " is not a server of this cluster");
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no leader known to any running server of " + this
        + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
  }

  /** {@code 127.A.B.n:8500} of the first running server. */
  public String httpAddress() {
    return firstRunningServer().httpAddress();
  }

  /** {@code http://} + {@link #httpAddress()}. */
  public String httpUrl() {
    return "http://" + httpAddress();
  }

  /** Address of the DNS interface of the first running server. */
  public String dnsHost() {
    return firstRunningServer().address();
  }

  public int dnsPort() {
    return DNS_PORT;
  }

  /** Consul's address list as a client would configure it: every server's {@code host:8500}. */
  public List<String> httpAddresses() {
    return servers.stream().map(TestConsulNode::httpAddress).collect(Collectors.toList());
  }

  // ---------------------------------------------------------------- tiny HTTP helpers

  /** GET {@code path} (e.g. {@code /v1/catalog/services}) from the first running server; returns the body. */
  public String httpGet(String path) {
    return request("GET", firstRunningServer(), path, null);
  }

  /** PUT {@code body} to {@code path} on the first running server; returns the response body. */
  public String httpPut(String path, String body) {
    return request("PUT", firstRunningServer(), path, body);
  }

  /** A request against a given node; throws {@link UncheckedIOException} on non-2xx. */
  public String request(String method, TestConsulNode node, String path, String body) {
    try {
      return send(method, node.httpUrl() + path, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- waiting

  /** Waits until a leader is elected and every running server is a raft peer and knows that leader. */
  public void awaitLeader(Duration timeout) {
    await(timeout, this::leaderProblem, "a leader with all running servers as peers");
  }

  private void await(Duration timeout, Supplier<String> problem, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    while (true) {
      checkNoUnexpectedDeath();
      last = problem.get();
      if (last == null) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Consul cluster " + block.prefix() + ".* not ready after "
            + timeout.toMillis() + " ms waiting for " + what + ": " + last + logTails());
      }
      sleep(POLL_MILLIS);
    }
  }

  /** Null when ready, else why not. */
  private String leaderProblem() {
    List<TestConsulNode> running = runningServers();
    if (running.isEmpty()) {
      return "no server is running";
    }
    String leader = null;
    for (TestConsulNode s : running) {
      String l;
      try {
        l = leaderOf(s);
      } catch (IOException e) {
        return s.name() + ": " + e.getMessage();
      }
      if (l.isEmpty()) {
        return s.name() + " knows no leader";
      }
      if (leader != null && !leader.equals(l)) {
        return "servers disagree on the leader (" + leader + " vs " + l + ")";
      }
      leader = l;
    }
    TestConsulNode leaderNode = serverByRaftAddress(leader);
    if (leaderNode == null) {
      return "leader " + leader + " is not a server of this cluster";
    }
    if (!leaderNode.isRunning()) {
      return "leader " + leader + " is not running";
    }
    try {
      List<?> peers = (List<?>) MiniJson.parse(send("GET", leaderNode.httpUrl() + "/v1/status/peers", null));
      for (TestConsulNode s : running) {
        if (!peers.contains(s.address() + ":" + SERVER_PORT)) {
          return s.name() + " is not a raft peer yet (peers " + peers + ")";
        }
      }
      if (!aclBlind) {
        // A consistent read proves the leader serves requests; the names prove it reconciled members.
        List<?> nodes = (List<?>) MiniJson.parse(
            send("GET", leaderNode.httpUrl() + "/v1/catalog/nodes?consistent", null));
        Set<Object> names = new HashSet<>();
        for (Object o : nodes) {
          names.add(((Map<?, ?>) o).get("Node"));
        }
        for (TestConsulNode s : running) {
          if (!names.contains(consulNodeName(s))) {
            return s.name() + " not in the catalog yet";
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "leader " + leaderNode.name() + ": " + e.getMessage();
    }
    return null;
  }

  /** Null when {@code node} is running, alive in the leader's member list and knows the leader. */
  private String joinedProblem(TestConsulNode node) {
    String lp = leaderProblem();
    if (lp != null) {
      return lp;
    }
    if (!node.isRunning()) {
      return node.name() + " is not running";
    }
    try {
      String leader = leaderOf(node);
      if (leader.isEmpty()) {
        return node.name() + " knows no leader";
      }
      if (!aclBlind) {
        TestConsulNode srv = firstRunningServer();
        List<?> members = (List<?>) MiniJson.parse(send("GET", srv.httpUrl() + "/v1/agent/members", null));
        for (Object o : members) {
          Map<?, ?> m = (Map<?, ?>) o;
          if (consulNodeName(node).equals(m.get("Name"))) {
            Object status = m.get("Status");
            return Long.valueOf(1).equals(status) ? null : node.name() + " member status " + status;
          }
        }
        return node.name() + " not in " + srv.name() + "'s member list";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return node.name() + ": " + e.getMessage();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private void boot() {
    long t0 = System.nanoTime();
    for (TestConsulNode n : all) {
      writeConfig(n);
    }
    for (TestConsulNode n : servers) {
      launch(n);
    }
    for (TestConsulNode n : agents) {
      launch(n);
    }
    awaitLeader(START_TIMEOUT);
    for (TestConsulNode a : agents) {
      await(START_TIMEOUT, () -> joinedProblem(a), a.name() + " to join");
    }
    startupTime = Duration.ofNanos(System.nanoTime() - t0);
    LOG.log(Level.DEBUG, () -> "consul cluster " + block.prefix() + ".* (" + servers.size() + " servers, "
        + agents.size() + " agents) ready in " + startupTime.toMillis() + " ms");
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  public synchronized void stop(TestConsulNode node) {
    own(node);
    node.wanted = false;
    Process p = node.process();
    if (p != null && p.isAlive()) {
      p.destroy();
      waitOrKill(p, 10_000);
    }
    deletePidFile(node);
  }

  /** SIGKILL, waits for the exit. */
  public synchronized void kill(TestConsulNode node) {
    own(node);
    node.wanted = false;
    Process p = node.process();
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      waitOrKill(p, 10_000);
    }
    deletePidFile(node);
  }

  /**
   * Starts the node again with the same address, config and data dir (stopping it first if it
   * runs) and waits until it rejoined: a leader exists, a server is a raft peer again, and the
   * node is an alive member that knows the leader.
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
    await(START_TIMEOUT, () -> joinedProblem(node), node.name() + " to rejoin");
  }

  /** Starts a stopped node again without waiting for it to rejoin. */
  public synchronized void startNode(TestConsulNode node) {
    own(node);
    if (!node.isRunning()) {
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
      // Agents would gracefully leave on SIGTERM (several seconds of gossip); their state is thrown away.
      terminate(agents, true);
      terminate(servers, false);
    } finally {
      LIVE.remove(this);
      block.release();
      if (!failed && !Boolean.getBoolean(KEEP_DATA_PROPERTY)) {
        OwnerFiles.deleteRecursively(clusterDir);
      } else {
        for (TestConsulNode n : all) {
          deletePidFile(n);
        }
      }
    }
  }

  private void terminate(List<TestConsulNode> nodes, boolean force) {
    List<Process> ps = new ArrayList<>();
    for (TestConsulNode n : nodes) {
      n.wanted = false;
      Process p = n.process();
      if (p != null && p.isAlive()) {
        if (force) {
          p.destroyForcibly();
        } else {
          p.destroy();
        }
        ps.add(p);
      }
    }
    long deadline = System.currentTimeMillis() + 10_000;
    for (Process p : ps) {
      waitOrKill(p, Math.max(0, deadline - System.currentTimeMillis()));
    }
  }

  private void killForShutdown() {
    for (TestConsulNode n : all) {
      Process p = n.process();
      if (p != null) {
        p.destroyForcibly();
      }
    }
    for (TestConsulNode n : all) {
      Process p = n.process();
      if (p != null) {
        try {
          p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    block.release();
    if (!Boolean.getBoolean(KEEP_DATA_PROPERTY)) {
      OwnerFiles.deleteRecursively(clusterDir);
    }
  }

  private static void waitOrKill(Process p, long millis) {
    try {
      if (!p.waitFor(millis, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void launch(TestConsulNode n) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "agent", "-config-file=" + n.configFile()));
    if (nodeArgs != null) {
      command.addAll(nodeArgs.apply(n));
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.directory(n.dataDir().toFile());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.logFile().toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("CONSUL_"));
    try {
      Process p = pb.start();
      n.process(p);
      n.wanted = true;
      OwnerFiles.writePidFile(n.dataDir(), p.pid(), n.configFile());
    } catch (IOException e) {
      failed = true;
      throw new IllegalStateException("cannot start " + binary + " for " + n.name() + ": " + e.getMessage(), e);
    }
  }

  private void writeConfig(TestConsulNode n) {
    if (nodeConfig != null) {
      String text = nodeConfig.apply(n, servers);
      if (aclToken == null && ACL_CONFIG.matcher(text).find()) {
        aclBlind = true;
      }
      writeConfigFile(n, text);
      return;
    }
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
    List<String> join = servers.stream().filter(s -> s != n).map(TestConsulNode::address)
        .map(TestConsulCluster::q).collect(Collectors.toList());
    if (!join.isEmpty()) {
      c.append("retry_join = [").append(String.join(", ", join)).append("]\n");
      c.append("retry_interval = \"200ms\"\n");
    }
    c.append("ports {\n  server = ").append(SERVER_PORT)
        .append("\n  serf_lan = ").append(SERF_LAN_PORT)
        .append("\n  serf_wan = ").append(SERF_WAN_PORT)
        .append("\n  http = ").append(HTTP_PORT)
        .append("\n  dns = ").append(DNS_PORT)
        .append("\n  https = -1\n  grpc = -1\n}\n");
    c.append("performance {\n  raft_multiplier = 1\n}\n");
    c.append("log_level = \"warn\"\n");
    c.append("disable_update_check = true\n");
    c.append("ui = true\n");
    if (!extraConfig.isBlank()) {
      c.append("\n# extraConfig\n").append(extraConfig).append('\n');
    }
    writeConfigFile(n, c.toString());
  }

  private void writeConfigFile(TestConsulNode n, String text) {
    try {
      Files.createDirectories(n.dataDir().resolve("data"));
      Files.writeString(n.configFile(), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      failed = true;
      throw new UncheckedIOException("cannot write " + n.configFile(), e);
    }
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  // ---------------------------------------------------------------- internals

  private void checkNoUnexpectedDeath() {
    for (TestConsulNode n : all) {
      Process p = n.process();
      if (n.wanted && p != null && !p.isAlive()) {
        failed = true;
        throw new IllegalStateException("consul " + n.name() + " (" + n.address() + ") exited with code "
            + p.exitValue() + "; log " + n.logFile() + ":\n" + tail(n.logFile(), 4000));
      }
    }
  }

  private String logTails() {
    failed = true;
    StringBuilder b = new StringBuilder();
    for (TestConsulNode n : all) {
      b.append("\n--- ").append(n).append(", tail of ").append(n.logFile()).append(":\n")
          .append(tail(n.logFile(), 1500));
    }
    return b.toString();
  }

  static String tail(Path file, int maxChars) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - maxChars);
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The node's name in Consul: its own, unless a {@link Builder#nodeConfig} chose another. */
  private String consulNodeName(TestConsulNode n) throws IOException {
    if (nodeConfig == null) {
      return n.name();
    }
    Map<?, ?> self = (Map<?, ?>) MiniJson.parse(send("GET", n.httpUrl() + "/v1/agent/self", null));
    return String.valueOf(((Map<?, ?>) self.get("Config")).get("NodeName"));
  }

  private String leaderOf(TestConsulNode n) throws IOException {
    Object v = MiniJson.parse(send("GET", n.httpUrl() + "/v1/status/leader", null));
    return v == null ? "" : v.toString();
  }

  private TestConsulNode serverByRaftAddress(String raftAddress) {
    String host = raftAddress.contains(":") ? raftAddress.substring(0, raftAddress.lastIndexOf(':')) : raftAddress;
    for (TestConsulNode s : servers) {
      if (s.address().equals(host)) {
        return s;
      }
    }
    return null;
  }

  private List<TestConsulNode> runningServers() {
    return servers.stream().filter(TestConsulNode::isRunning).collect(Collectors.toList());
  }

  private TestConsulNode firstRunningServer() {
    for (TestConsulNode s : servers) {
      if (s.isRunning()) {
        return s;
      }
    }
    throw new IllegalStateException("no server of " + this + " is running");
  }

  private void own(TestConsulNode node) {
    if (!all.contains(Objects.requireNonNull(node, "node"))) {
      throw new IllegalArgumentException(node + " is not a node of " + this);
    }
  }

  private void deletePidFile(TestConsulNode n) {
    try {
      Files.deleteIfExists(n.dataDir().resolve(OwnerFiles.PID_FILE));
    } catch (IOException ignored) {
      // best effort
    }
  }

  private String send(String method, String url, String body) throws IOException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
    if (aclToken != null) {
      rb.header("X-Consul-Token", aclToken);
    }
    rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> r;
    try {
      r = HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + url, e);
    }
    if (r.statusCode() / 100 != 2) {
      throw new IOException(method + " " + url + " -> HTTP " + r.statusCode() + ": " + r.body().trim());
    }
    return r.body();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for consul", e);
    }
  }

  @Override
  public String toString() {
    return "TestConsulCluster[" + block.prefix() + ".*, " + servers.size() + " servers, " + agents.size()
        + " agents, " + clusterDir + "]";
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
     * the node (its {@code address()}, {@code dataDir()}, {@code name()}) and the cluster's servers and
     * returns the text of its config file (HCL, or JSON, which Consul's HCL parser reads too).
     * {@link #extraConfig} is not added. The fixture's addresses, ports 8300/8301/8302/8500/8600 and
     * process hygiene stay as they are, so the config should use them.
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

    /** HCL appended to every node's config (e.g. {@code acl { ... }}, {@code encrypt = "..."}); may be called repeatedly. */
    public Builder extraConfig(String hcl) {
      extraConfig.append(hcl).append('\n');
      return this;
    }

    /**
     * Token the fixture itself sends (X-Consul-Token) while waiting for readiness, e.g. the ACL
     * master token set in {@link #extraConfig}. Without it, a cluster with an {@code acl} block
     * is awaited through the ACL-free status endpoints only.
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
      return extraConfig("acl {\n  enabled = true\n  default_policy = \"deny\"\n  tokens {\n    master = \""
          + masterToken + "\"\n  }\n}").aclToken(masterToken);
    }

    /** Where cluster dirs go (default {@code <user.dir>/target/consul-test}). */
    public Builder dataRoot(Path dir) {
      this.dataRoot = dir;
      return this;
    }

    /** Starts the nodes and blocks until a leader is elected (60 s at most) and the agents joined. */
    public TestConsulCluster start() {
      if (servers + agents > 254) {
        throw new IllegalArgumentException("at most 254 nodes");
      }
      Path binary = ConsulBinary.locate();
      Path root = (dataRoot == null ? defaultDataRoot() : dataRoot).toAbsolutePath().normalize();
      sweepStale(root);
      String id = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
          + "-" + OwnerFiles.myPid() + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
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
      LIVE.add(c);
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
