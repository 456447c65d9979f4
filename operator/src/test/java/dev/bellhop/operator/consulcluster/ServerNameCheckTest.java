package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.registration.ConsulTransport;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.http.client.methods.HttpGet;
import org.junit.jupiter.api.Test;

/**
 * The operator's HTTPS to Consul checks that the peer is a server, not only that the cluster's CA
 * signed it (issue #16): an HTTPS server presenting the agents' client certificate from the same CA
 * is refused where a server is expected, and accepted only for the call made to agents.
 */
class ServerNameCheckTest {
  private static final Map<String, String> CERTS =
      ClusterCertificates.ensure(Map.of(), settings(), Instant.now());

  @Test
  void anAgentsCertificateCannotPoseAsAServer() throws Exception {
    HttpsServer agent = serve(ClusterCertificates.CLIENT_CRT, ClusterCertificates.CLIENT_KEY);
    try {
      assertThatThrownBy(() -> get(agent, ConsulTransport.SERVERS))
          .hasMessageContaining("doesn't match any of the subject alternative names");
      assertThat(get(agent, ConsulTransport.NODES)).isEqualTo(200);
    } finally {
      agent.stop(0);
    }
  }

  @Test
  void aServersCertificateIsAServer() throws Exception {
    HttpsServer server = serve(ClusterCertificates.SERVER_CRT, ClusterCertificates.SERVER_KEY);
    try {
      assertThat(get(server, ConsulTransport.SERVERS)).isEqualTo(200);
    } finally {
      server.stop(0);
    }
  }

  private static int get(HttpsServer server, Pattern peers) throws Exception {
    try (var transport =
        new ConsulTransport(
            ConsulTransport.trusting(CERTS.get(ClusterCertificates.CA_CRT)),
            peers,
            null,
            5_000,
            2)) {
      var response =
          transport
              .http()
              .execute(
                  new HttpGet(
                      "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/agent/self"));
      return response.getStatusLine().getStatusCode();
    }
  }

  /** A one-route HTTPS server on loopback presenting the named certificate and key. */
  private static HttpsServer serve(String certKey, String keyKey) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "tls",
        ClusterCertificates.privateKey(CERTS.get(keyKey)),
        new char[0],
        new Certificate[] {ClusterCertificates.certificate(CERTS.get(certKey))});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static ClusterSettings settings() {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.getMetadata().setNamespace("hotel");
    return ClusterSettings.of(cc);
  }
}
