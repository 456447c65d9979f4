package dev.bellhop.services.common.client;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses an upstream address: {@code static:host:port[,host:port...]} or {@code dns-srv:<name>}. A
 * bare {@code host:port[,...]} is read as static, for convenience on the command line.
 */
public final class UpstreamAddress {
  private UpstreamAddress() {}

  public static EndpointResolver parse(String address, DnsSrvClient dns) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("empty upstream address");
    }
    String value = address.trim();
    if (value.startsWith("dns-srv:")) {
      String name = value.substring("dns-srv:".length()).trim();
      if (name.isEmpty() || name.contains(" ")) {
        throw new IllegalArgumentException("dns-srv: needs a DNS name, got \"" + address + "\"");
      }
      if (dns == null) {
        throw new IllegalArgumentException("dns-srv upstream " + name + " but no DNS client");
      }
      return new SrvResolver(name, dns);
    }
    if (value.startsWith("static:")) {
      value = value.substring("static:".length());
    }
    return new StaticResolver(parseHostPorts(value, address));
  }

  static List<Endpoint> parseHostPorts(String list, String original) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (String part : list.split(",")) {
      String hp = part.trim();
      if (hp.isEmpty()) {
        continue;
      }
      int colon = hp.lastIndexOf(':');
      if (colon <= 0 || colon == hp.length() - 1) {
        throw new IllegalArgumentException(
            "expected host:port in \"" + original + "\", got \"" + hp + "\"");
      }
      String host = hp.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1); // [::1]:8082
      }
      int port;
      try {
        port = Integer.parseInt(hp.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port in \"" + original + "\": " + hp);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range in \"" + original + "\": " + hp);
      }
      endpoints.add(new Endpoint(host, port));
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no host:port in \"" + original + "\"");
    }
    return endpoints;
  }
}
