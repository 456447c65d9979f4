package dev.bellhop.localcluster.network;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local kube-proxy: a TCP or UDP listener on each Service port's cluster IP, forwarding every
 * connection (or datagram) to a serving pod, round robin; and a listener on a node's address for
 * each host port of a pod on that node.
 */
public final class ServiceProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);
  private static final long UDP_IDLE_MS = 30_000;

  private final Vertx vertx;
  private final PodNetwork network;
  private final Store<Service> services;
  private final Store<Pod> pods;
  private final Map<String, String> nodeIps;
  private final Endpoints endpoints;
  private final NetClient tcp;

  /** "ip:port/protocol" to the listener and what it forwards to. */
  private final Map<String, Listener> listeners = new HashMap<>();

  public ServiceProxy(
      Vertx vertx,
      PodNetwork network,
      Store<Service> services,
      Store<Pod> pods,
      Map<String, String> nodeIps) {
    this.vertx = vertx;
    this.network = network;
    this.services = services;
    this.pods = pods;
    this.nodeIps = nodeIps;
    this.endpoints = new Endpoints(pods);
    this.tcp =
        vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000).setTcpNoDelay(true));
  }

  /** Opens the listeners that Services and host ports now need and closes the rest. */
  public synchronized void sync() {
    Map<String, Function<String, SocketAddress>> wanted = new HashMap<>();
    for (Service svc : services.list()) {
      if (svc.getSpec() == null
          || "None".equals(svc.getSpec().getClusterIP())
          || svc.getSpec().getPorts() == null) {
        continue;
      }
      String ip = network.clusterIp(svc.getMetadata().getNamespace(), svc.getMetadata().getName());
      String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
      for (ServicePort port : svc.getSpec().getPorts()) {
        String portName = port.getName();
        int number = port.getPort();
        wanted.put(
            ip + ":" + number + "/" + protocol(port.getProtocol()),
            client -> {
              Service current = services.getByKey(key);
              ServicePort p =
                  current == null
                      ? null
                      : current.getSpec().getPorts().stream()
                          .filter(
                              x ->
                                  x.getPort() == number
                                      && java.util.Objects.equals(x.getName(), portName))
                          .findFirst()
                          .orElse(null);
              return p == null
                  ? null
                  : endpoints.pick(current, p, endpoints.nodeOf(client, nodeIps));
            });
      }
    }
    for (Pod pod : pods.list()) {
      String nodeIp = pod.getSpec() == null ? null : nodeIps.get(pod.getSpec().getNodeName());
      if (nodeIp == null
          || pod.getStatus() == null
          || pod.getStatus().getPodIP() == null
          || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      SocketAddress podIp = SocketAddress.inetSocketAddress(0, pod.getStatus().getPodIP());
      for (Container c : pod.getSpec().getContainers()) {
        for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
          if (p.getHostPort() != null && p.getHostPort() > 0) {
            SocketAddress target =
                SocketAddress.inetSocketAddress(p.getContainerPort(), podIp.host());
            wanted.put(
                nodeIp + ":" + p.getHostPort() + "/" + protocol(p.getProtocol()), client -> target);
          }
        }
      }
    }
    for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        e.getValue().close();
        it.remove();
      }
    }
    wanted.forEach(
        (key, target) -> {
          Listener l = listeners.get(key);
          if (l != null) {
            l.target = target;
          } else {
            try {
              listeners.put(key, open(key, target));
            } catch (RuntimeException e) {
              log.atWarn()
                  .addKeyValue("listener", key)
                  .setCause(e)
                  .log("cannot open Service listener");
            }
          }
        });
  }

  private Listener open(String key, Function<String, SocketAddress> target) {
    String[] hostPort = key.substring(0, key.indexOf('/')).split(":");
    String host = hostPort[0];
    int port = Integer.parseInt(hostPort[1]);
    Listener l = new Listener(target);
    if (key.endsWith("/UDP")) {
      DatagramSocket socket = vertx.createDatagramSocket();
      // One upstream socket per client, so that replies find their way back; dropped when idle.
      Map<SocketAddress, Future<DatagramSocket>> upstreams = new ConcurrentHashMap<>();
      socket.handler(
          packet -> {
            SocketAddress sender = packet.sender();
            SocketAddress to = l.target.apply(sender.host());
            if (to == null) {
              return;
            }
            upstreams
                .computeIfAbsent(
                    sender,
                    c -> {
                      DatagramSocket up = vertx.createDatagramSocket();
                      up.handler(reply -> socket.send(reply.data(), sender.port(), sender.host()));
                      vertx.setTimer(
                          UDP_IDLE_MS,
                          t -> upstreams.remove(sender).onSuccess(DatagramSocket::close));
                      return up.listen(0, "127.0.0.1");
                    })
                .onSuccess(up -> up.send(packet.data(), to.port(), to.host()));
          });
      await(socket.listen(port, host));
      l.closer =
          () -> {
            socket.close();
            upstreams.values().forEach(f -> f.onSuccess(DatagramSocket::close));
          };
    } else {
      NetServer server =
          vertx.createNetServer(
              new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true));
      server.connectHandler(
          in -> {
            in.pause();
            SocketAddress to = l.target.apply(in.remoteAddress().host());
            if (to == null) {
              in.close();
              return;
            }
            tcp.connect(to)
                .onComplete(
                    ar -> {
                      if (ar.failed()) {
                        in.close();
                        return;
                      }
                      in.pipeTo(ar.result());
                      ar.result().pipeTo(in);
                    });
          });
      await(server.listen());
      l.closer = server::close;
    }
    log.atDebug().addKeyValue("listener", key).log("Service listener open");
    return l;
  }

  private static String protocol(String protocol) {
    return protocol == null ? "TCP" : protocol;
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(Listener::close);
    listeners.clear();
    tcp.close();
  }

  private static final class Listener {
    /** The upstream for a client address (null: drop it). */
    volatile Function<String, SocketAddress> target;

    Runnable closer = () -> {};

    Listener(Function<String, SocketAddress> target) {
      this.target = target;
    }

    void close() {
      closer.run();
    }
  }
}
