package dev.bellhop.operator.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The backup claim's layout: {@code <cluster>-<yyyyMMdd'T'HHmmss'Z'>.snap}, each with a {@code
 * .sha256} beside it in {@code sha256sum}'s format (so {@code sha256sum -c} checks it by hand too).
 * Names sort by time, so retention is "all but the last N by name".
 */
public final class SnapshotFiles {
  static final String SUFFIX = ".snap";
  static final String CHECKSUM_SUFFIX = ".sha256";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private SnapshotFiles() {}

  /** What was written: the name, its size and its SHA-256 (hex). */
  public record Written(String file, long bytes, String sha256) {}

  public static String name(String cluster, Instant time) {
    return cluster + "-" + STAMP.format(time) + SUFFIX;
  }

  /**
   * Copies {@code in} to {@code dir/file} and its checksum beside it. The copy goes to a hidden
   * temporary first and is renamed into place, so a crash mid-copy leaves no {@code .snap} a
   * restore could pick.
   */
  public static Written write(InputStream in, Path dir, String file) throws IOException {
    Path partial = dir.resolve("." + file + ".partial");
    MessageDigest sha = sha256();
    long bytes;
    try (OutputStream out = Files.newOutputStream(partial);
        DigestInputStream digesting = new DigestInputStream(in, sha)) {
      bytes = digesting.transferTo(out);
    }
    String hex = HexFormat.of().formatHex(sha.digest());
    Files.move(partial, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(
        dir.resolve(file + CHECKSUM_SUFFIX), hex + "  " + file + "\n", StandardCharsets.UTF_8);
    return new Written(file, bytes, hex);
  }

  /**
   * The file's SHA-256, checked against its {@code .sha256}.
   *
   * @throws IOException naming the file when it, its checksum, or their match is missing
   */
  public static String verify(Path file) throws IOException {
    Path sum = file.resolveSibling(file.getFileName() + CHECKSUM_SUFFIX);
    if (!Files.isRegularFile(file)) {
      throw new IOException("snapshot " + file.getFileName() + " not found in the backup claim");
    }
    if (!Files.isRegularFile(sum)) {
      throw new IOException("snapshot " + file.getFileName() + " has no " + sum.getFileName());
    }
    String expected = Files.readString(sum, StandardCharsets.UTF_8).trim().split("\\s+")[0];
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (!actual.equalsIgnoreCase(expected)) {
      throw new IOException(
          "snapshot "
              + file.getFileName()
              + " fails its checksum: SHA-256 "
              + actual
              + ", "
              + sum.getFileName()
              + " says "
              + expected);
    }
    return actual;
  }

  /**
   * Deletes all but the newest {@code retain} snapshots of {@code cluster}; returns the deleted.
   */
  public static List<String> prune(Path dir, String cluster, int retain) throws IOException {
    Pattern mine =
        Pattern.compile(Pattern.quote(cluster) + "-\\d{8}T\\d{6}Z" + Pattern.quote(SUFFIX));
    List<String> names;
    try (var files = Files.list(dir)) {
      names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> mine.matcher(n).matches())
              .sorted()
              .toList();
    }
    List<String> deleted = new ArrayList<>();
    for (String n : names.subList(0, Math.max(0, names.size() - retain))) {
      Files.deleteIfExists(dir.resolve(n + CHECKSUM_SUFFIX));
      Files.deleteIfExists(dir.resolve(n));
      deleted.add(n);
    }
    return deleted;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
