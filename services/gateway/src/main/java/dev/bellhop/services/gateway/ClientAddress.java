package dev.bellhop.services.gateway;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the caller is, for the {@code X-Forwarded-For} the gateway sends: the connection's peer,
 * unless the peer is a proxy the gateway trusts ({@code GATEWAY_TRUSTED_PROXIES}: addresses or
 * CIDRs, e.g. the Ingress controller's pod network). Then the {@code X-Forwarded-For} it sent is
 * read from the right, skipping trusted proxies, and the first address no trusted proxy stands for
 * is the caller (as nginx's {@code real_ip_recursive} and Envoy's trusted hops do). Anything left
 * of it was written by the caller and is dropped: a caller cannot pose as another address.
 *
 * <p>Trusting nobody (the default) makes the header the peer's address alone.
 */
final class ClientAddress {
  private static final CharSequence X_FORWARDED_FOR =
      HttpHeaders.createOptimized("X-Forwarded-For");

  private final List<IpSubnetFilterRule> trusted;

  /**
   * {@code proxies}: addresses ({@code 10.0.0.7}, {@code fd00::7}) or CIDRs ({@code 10.0.0.0/8}).
   */
  ClientAddress(List<String> proxies) {
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    for (String proxy : proxies) {
      String entry = proxy.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address);
      if (ip == null) {
        throw new IllegalArgumentException(
            "GATEWAY_TRUSTED_PROXIES: not an address or CIDR: " + entry);
      }
      int bits = ip.getAddress().length * 8;
      int prefix = bits;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bits) {
          throw new IllegalArgumentException("GATEWAY_TRUSTED_PROXIES: bad prefix in " + entry);
        }
      }
      rules.add(new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT));
    }
    this.trusted = List.copyOf(rules);
  }

  /**
   * The caller's address: {@code peer} (the connection's), or, when the peer is trusted, what the
   * trusted proxies' {@code X-Forwarded-For} headers (every one, in order) say, read from the
   * right.
   */
  String of(String peer, MultiMap headers) {
    if (trusted.isEmpty() || !isTrusted(peer)) {
      return peer;
    }
    List<String> forwardedFor = headers.getAll(X_FORWARDED_FOR);
    String client = peer;
    for (int h = forwardedFor.size() - 1; h >= 0; h--) {
      String[] hops = forwardedFor.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = address(hops[i].trim());
        if (hop == null) {
          return client; // unreadable: the last address a trusted proxy vouched for
        }
        client = hop;
        if (!isTrusted(client)) {
          return client;
        }
      }
    }
    return client;
  }

  private boolean isTrusted(String address) {
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address);
    if (ip == null) {
      return false;
    }
    InetSocketAddress socket = new InetSocketAddress(ip, 0);
    for (IpSubnetFilterRule rule : trusted) {
      if (rule.matches(socket)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An {@code X-Forwarded-For} entry as an address ({@code 203.0.113.7}, {@code 2001:db8::1},
   * {@code [2001:db8::1]:443}, {@code 203.0.113.7:5000}), or null.
   */
  private static String address(String hop) {
    String host = hop;
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end < 0 ? "" : host.substring(1, end);
    } else if (host.indexOf(':') > 0 && host.indexOf(':') == host.lastIndexOf(':')) {
      host = host.substring(0, host.indexOf(':')); // IPv4 with a port
    }
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
    return ip == null ? null : NetUtil.toAddressString(ip);
  }
}
