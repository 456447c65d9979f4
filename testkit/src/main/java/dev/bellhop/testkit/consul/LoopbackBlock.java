package dev.bellhop.testkit.consul;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A claimed block 127.A.B.* (A in 100..250) for one cluster. The claim is a lock file in {@link
 * OwnerFiles#lockDir()} naming the owning JVM (so concurrent JVMs never pick the same block) plus a
 * bind test on every node address and Consul port.
 */
final class LoopbackBlock {
  static final int[] TCP_PORTS = {8300, 8301, 8302, 8500, 8600};
  static final int[] UDP_PORTS = {8301, 8302, 8600};

  final int a;
  final int b;
  private final Path lockFile;

  private LoopbackBlock(int a, int b, Path lockFile) {
    this.a = a;
    this.b = b;
    this.lockFile = lockFile;
  }

  String address(int n) {
    return "127." + a + "." + b + "." + n;
  }

  String prefix() {
    return "127." + a + "." + b;
  }

  static LoopbackBlock claim(int nodes) {
    if (nodes < 1 || nodes > 254) {
      throw new IllegalArgumentException("nodes must be 1..254: " + nodes);
    }
    Path dir = OwnerFiles.lockDir();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir, e);
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    String lastProblem = "";
    for (int attempt = 0; attempt < 200; attempt++) {
      int a = 100 + rnd.nextInt(151);
      int b = rnd.nextInt(256);
      Path lock = dir.resolve("127." + a + "." + b + ".lock");
      if (!tryLock(lock)) {
        lastProblem = lock + " is held by a live JVM";
        continue;
      }
      LoopbackBlock block = new LoopbackBlock(a, b, lock);
      String busy = block.busy(nodes);
      if (busy == null) {
        return block;
      }
      lastProblem = busy;
      block.release();
    }
    throw new IllegalStateException(
        "no free loopback block 127.[100-250].*.* found; last problem: " + lastProblem);
  }

  private static boolean tryLock(Path lock) {
    Properties p = OwnerFiles.ownerProps();
    try {
      Files.createFile(lock);
      OwnerFiles.write(lock, p);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false; // held by another JVM (claims of dead JVMs are removed by the sweep)
    } catch (IOException e) {
      return false;
    }
  }

  /** Null when every address of the block binds all Consul ports, else what is busy. */
  private String busy(int nodes) {
    for (int n = 1; n <= nodes; n++) {
      InetAddress addr;
      try {
        addr = InetAddress.getByName(address(n));
      } catch (IOException e) {
        return e.toString();
      }
      for (int port : TCP_PORTS) {
        try (ServerSocket s = new ServerSocket()) {
          s.setReuseAddress(true);
          s.bind(new InetSocketAddress(addr, port));
        } catch (IOException e) {
          return "tcp " + address(n) + ":" + port + " busy (" + e.getMessage() + ")";
        }
      }
      for (int port : UDP_PORTS) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, port))) {
          // bound and released
        } catch (IOException e) {
          return "udp " + address(n) + ":" + port + " busy (" + e.getMessage() + ")";
        }
      }
    }
    return null;
  }

  /** Records the cluster dir in the claim, so that a sweep after this JVM died finds it. */
  void recordDir(Path clusterDir) {
    Properties p = OwnerFiles.ownerProps();
    p.setProperty("dir", clusterDir.toAbsolutePath().toString());
    OwnerFiles.write(lockFile, p);
  }

  void release() {
    try {
      Files.deleteIfExists(lockFile);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
