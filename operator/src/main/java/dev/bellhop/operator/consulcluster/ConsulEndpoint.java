package dev.bellhop.operator.consulcluster;

import java.util.List;

/**
 * How to reach a ready ConsulCluster's HTTP API.
 *
 * @param httpAddresses {@code http://ip:8500} (or {@code https://ip:8501} with TLS) of the server
 *     pods that have an IP, by pod IP: ready servers first (at least one), then the others
 * @param token the operator's least-privilege ACL token (Secret {@code <name>-operator-token}),
 *     null when ACLs are off; never the management token
 * @param caCertPem the CA (PEM) that signed the servers' certificates, null without TLS. The
 *     certificates cannot name pod IPs: verify the chain against this CA, not the host name
 */
public record ConsulEndpoint(List<String> httpAddresses, String token, String caCertPem) {
  public ConsulEndpoint {
    httpAddresses = List.copyOf(httpAddresses);
  }
}
