package dev.bellhop.services.common.client;

/** One instance of an upstream service. */
public record Endpoint(String host, int port) {
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
