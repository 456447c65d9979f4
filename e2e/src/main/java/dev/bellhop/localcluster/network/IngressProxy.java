package dev.bellhop.localcluster.network;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.informers.cache.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import java.util.List;

/**
 * The local Ingress controller: one HTTP listener (the demo's {@code http://127.0.0.1:8080}) that
 * routes each request by the longest matching Ingress path to a serving pod of the backend Service,
 * as ingress-nginx routes to endpoints. Hosts are not matched: there is no DNS for them here.
 */
public final class IngressProxy implements AutoCloseable {
  private final Store<Ingress> ingresses;
  private final Store<Service> services;
  private final Endpoints endpoints;
  private final HttpServer server;

  public IngressProxy(
      Vertx vertx,
      Store<Ingress> ingresses,
      Store<Service> services,
      Endpoints endpoints,
      String host,
      int port) {
    this.ingresses = ingresses;
    this.services = services;
    this.endpoints = endpoints;
    HttpProxy proxy =
        HttpProxy.reverseProxy(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)))
            .originSelector(this::origin);
    server = vertx.createHttpServer();
    server.requestHandler(proxy);
    try {
      server.listen(port, host).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      throw new IllegalStateException(
          "the local Ingress cannot listen on " + host + ":" + port + " (is another demo running?)",
          e);
    }
  }

  private Future<SocketAddress> origin(HttpServerRequest request) {
    String path = request.path();
    HTTPIngressPath best = null;
    String namespace = null;
    for (Ingress ing : ingresses.list()) {
      List<IngressRule> rules = ing.getSpec() == null ? null : ing.getSpec().getRules();
      for (IngressRule rule : rules == null ? List.<IngressRule>of() : rules) {
        if (rule.getHttp() == null) {
          continue;
        }
        for (HTTPIngressPath p : rule.getHttp().getPaths()) {
          if (matches(p, path) && (best == null || length(p) > length(best))) {
            best = p;
            namespace = ing.getMetadata().getNamespace();
          }
        }
      }
    }
    if (best == null) {
      return Future.failedFuture("no Ingress path matches " + path);
    }
    IngressBackend backend = best.getBackend();
    Service svc = services.getByKey(namespace + "/" + backend.getService().getName());
    ServicePort port =
        svc == null
            ? null
            : svc.getSpec().getPorts().stream()
                .filter(
                    p ->
                        backend.getService().getPort().getName() != null
                            ? backend.getService().getPort().getName().equals(p.getName())
                            : backend.getService().getPort().getNumber() == p.getPort())
                .findFirst()
                .orElse(null);
    SocketAddress to = port == null ? null : endpoints.pick(svc, port);
    return to == null
        ? Future.failedFuture("no serving pod behind " + backend.getService().getName())
        : Future.succeededFuture(to);
  }

  private static boolean matches(HTTPIngressPath p, String path) {
    String prefix = p.getPath() == null ? "/" : p.getPath();
    if ("Exact".equals(p.getPathType())) {
      return path.equals(prefix);
    }
    return path.equals(prefix) || path.startsWith(prefix.endsWith("/") ? prefix : prefix + "/");
  }

  private static int length(HTTPIngressPath p) {
    return p.getPath() == null ? 1 : p.getPath().length();
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
