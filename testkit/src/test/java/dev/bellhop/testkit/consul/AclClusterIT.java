package dev.bellhop.testkit.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** extraConfig reaches every node: ACL (default deny) and gossip encryption. */
class AclClusterIT {
  private static final String ACL =
      """
      acl {
        enabled = true
        default_policy = "deny"
        tokens {
          master = "root-token"
          agent = "root-token"
        }
      }
      encrypt = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="
      """;

  @Test
  void aclAndEncryptionWithToken() throws Exception {
    try (TestConsulCluster c =
        TestConsulCluster.builder()
            .servers(1)
            .agents(1)
            .extraConfig(ACL)
            .aclToken("root-token")
            .start()) {
      System.out.println("BENCH testkit.startup.acl=" + c.startupTime().toMillis() + " unit=ms");
      // the anonymous token may not write ...
      HttpResponse<String> anonymous =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(c.httpUrl() + "/v1/kv/x"))
                      .PUT(HttpRequest.BodyPublishers.ofString("1"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(403);
      // ... the fixture's token may (request() sends it)
      assertThat(c.httpPut("/v1/kv/x", "1")).isEqualTo("true");
      assertThat(NodeProcesses.tail(c.servers().get(0).configFile(), 10_000)).contains("encrypt =");
    }
  }

  @Test
  void aclWithoutTokenStillStarts() {
    try (TestConsulCluster c =
        TestConsulCluster.builder().servers(1).agents(1).extraConfig(ACL).start()) {
      assertThat(c.leader()).isEqualTo(c.servers().get(0));
    }
  }
}
