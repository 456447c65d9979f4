package dev.bellhop.operator.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bellhop.operator.crd.ConsulSnapshot;
import dev.bellhop.operator.registration.ConsulTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPut;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.FileEntity;
import org.apache.http.util.EntityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bellhop-operator snapshot save|restore}: what a snapshot or restore Job runs, in the
 * operator's image, with the backup claim mounted. It talks to one Consul server over the
 * operator's transport ({@link ConsulTransport}), and reports its outcome in the container's
 * termination message ({@code --report}), where the operator reads it from the pod's status: a
 * {@link ConsulSnapshot} as JSON on success, the reason as text on failure.
 *
 * <pre>
 * snapshot save    --consul=URL --dir=DIR --cluster=NAME --retain=N [--token-file=F] [--ca-file=F] [--report=F]
 * snapshot restore --consul=URL --file=FILE [--token-file=F] [--ca-file=F] [--report=F]
 * </pre>
 */
public final class SnapshotCommand {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotCommand.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Consul streams a snapshot as it reads its state: 10,000 instances took 0.2 s to save and 1.3 s
   * to restore through this command here (docs/consulcluster-day-two.md, {@code make
   * bench-consul}); 5 minutes leaves room for far larger ones.
   */
  private static final int SOCKET_TIMEOUT_MS = 300_000;

  private final Map<String, String> flags;
  private final Clock clock;

  SnapshotCommand(Map<String, String> flags, Clock clock) {
    this.flags = flags;
    this.clock = clock;
  }

  /** Runs {@code args} ({@code snapshot <save|restore> --flag=value...}); returns the exit code. */
  public static int run(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].replaceFirst("^--", "").split("=", 2);
      flags.put(kv[0], kv.length == 2 ? kv[1] : "");
    }
    String verb = args.length > 1 ? args[1] : "";
    SnapshotCommand command = new SnapshotCommand(flags, Clock.systemUTC());
    try {
      ConsulSnapshot outcome =
          switch (verb) {
            case "save" -> command.save();
            case "restore" -> command.restore();
            default ->
                throw new IllegalArgumentException(
                    "usage: snapshot save|restore --consul=URL ... (got '" + verb + "')");
          };
      command.report(JSON.writeValueAsString(outcome));
      return 0;
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.atError().addKeyValue("error", reason).log("snapshot " + verb + " failed");
      command.report(reason);
      return 1;
    }
  }

  ConsulSnapshot save() throws IOException {
    String cluster = required("cluster");
    Path dir = Path.of(required("dir"));
    int retain = Integer.parseInt(flags.getOrDefault("retain", "7"));
    try (ConsulTransport transport = transport()) {
      HttpGet get = new HttpGet(required("consul") + "/v1/snapshot");
      authorize(get);
      HttpResponse r = transport.http().execute(get);
      try {
        expectOk(r, "save a snapshot");
        Instant time = clock.instant();
        SnapshotFiles.Written w =
            SnapshotFiles.write(r.getEntity().getContent(), dir, SnapshotFiles.name(cluster, time));
        var pruned = SnapshotFiles.prune(dir, cluster, retain);
        ConsulSnapshot s = new ConsulSnapshot();
        s.setFile(w.file());
        s.setTime(time.toString());
        s.setBytes(w.bytes());
        s.setSha256(w.sha256());
        var index = r.getFirstHeader("X-Consul-Index");
        s.setIndex(index == null ? null : Long.valueOf(index.getValue()));
        LOG.atInfo()
            .addKeyValue("file", s.getFile())
            .addKeyValue("bytes", s.getBytes())
            .addKeyValue("index", s.getIndex())
            .addKeyValue("pruned", pruned.size())
            .log("snapshot saved");
        return s;
      } finally {
        EntityUtils.consumeQuietly(r.getEntity());
      }
    }
  }

  ConsulSnapshot restore() throws IOException {
    Path file = Path.of(required("file"));
    String sha256 = SnapshotFiles.verify(file);
    try (ConsulTransport transport = transport()) {
      HttpPut put = new HttpPut(required("consul") + "/v1/snapshot");
      authorize(put);
      put.setEntity(new FileEntity(file.toFile(), ContentType.APPLICATION_OCTET_STREAM));
      HttpResponse r = transport.http().execute(put);
      try {
        expectOk(r, "restore " + file.getFileName());
      } finally {
        EntityUtils.consumeQuietly(r.getEntity());
      }
    }
    ConsulSnapshot s = new ConsulSnapshot();
    s.setFile(file.getFileName().toString());
    s.setBytes(Files.size(file));
    s.setSha256(sha256);
    s.setTime(clock.instant().toString());
    LOG.atInfo().addKeyValue("file", s.getFile()).log("snapshot restored");
    return s;
  }

  private ConsulTransport transport() throws IOException {
    String ca = flags.get("ca-file");
    return new ConsulTransport(
        ca == null ? null : ConsulTransport.trusting(Files.readString(Path.of(ca))),
        null,
        SOCKET_TIMEOUT_MS,
        1);
  }

  private void authorize(HttpRequestBase request) throws IOException {
    String tokenFile = flags.get("token-file");
    if (tokenFile != null) {
      request.setHeader("X-Consul-Token", Files.readString(Path.of(tokenFile)).trim());
    }
  }

  private static void expectOk(HttpResponse r, String what) throws IOException {
    int code = r.getStatusLine().getStatusCode();
    if (code != 200) {
      String body = r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity()).trim();
      throw new IOException("Consul refused to " + what + ": HTTP " + code + " " + body);
    }
  }

  private String required(String flag) {
    String v = flags.get(flag);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + flag + " is required");
    }
    return v;
  }

  /** The kubelet keeps at most 4096 bytes of a termination message; a reason fits well within. */
  private void report(String text) {
    String path = flags.get("report");
    if (path == null) {
      return;
    }
    try {
      Files.writeString(Path.of(path), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.atWarn().addKeyValue("error", e.getMessage()).log("could not write the report");
    }
  }
}
