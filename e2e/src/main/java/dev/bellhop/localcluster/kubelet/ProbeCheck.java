package dev.bellhop.localcluster.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one probe (HTTP GET, TCP socket or exec) against a pod, as the kubelet does. */
final class ProbeCheck {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private ProbeCheck() {}

  static boolean passes(Probe probe, Container c, String podIp, PodSandbox sandbox) {
    Duration timeout =
        Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds());
    try {
      if (probe.getHttpGet() != null) {
        var get = probe.getHttpGet();
        String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
        String host = get.getHost() == null ? podIp : get.getHost();
        URI uri =
            URI.create(
                scheme
                    + "://"
                    + host
                    + ":"
                    + port(get.getPort(), c)
                    + (get.getPath() == null ? "/" : get.getPath()));
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        return r.statusCode() >= 200 && r.statusCode() < 400;
      }
      if (probe.getTcpSocket() != null) {
        try (Socket s = new Socket()) {
          s.connect(
              new InetSocketAddress(podIp, port(probe.getTcpSocket().getPort(), c)),
              (int) timeout.toMillis());
          return true;
        }
      }
      if (probe.getExec() != null) {
        List<String> command = probe.getExec().getCommand().stream().map(sandbox::map).toList();
        Process p =
            new ProcessBuilder(command)
                .directory(sandbox.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          return false;
        }
        return p.exitValue() == 0;
      }
      return true; // a probe with no handler: nothing to fail
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static int port(IntOrString port, Container c) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      if (port.getStrVal().equals(p.getName())) {
        return p.getContainerPort();
      }
    }
    throw new IllegalArgumentException(
        "probe port " + port.getStrVal() + " is not a port of container " + c.getName());
  }
}
