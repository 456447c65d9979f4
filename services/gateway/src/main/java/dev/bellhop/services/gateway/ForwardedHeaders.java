package dev.bellhop.services.gateway;

import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The headers a proxied call carries each way: the caller's minus hop-by-hop ones, plus {@code
 * X-Request-Id}, {@code traceparent} and {@code X-Forwarded-For} (the caller's address, {@link
 * ClientAddress}) on the way in; the instance's minus hop-by-hop ones, plus the request id, on the
 * way out.
 */
final class ForwardedHeaders {
  /** RFC 7230 §6.1 hop-by-hop headers, plus the ones the proxy recomputes; hashed once. */
  private static final List<AsciiString> HOP_BY_HOP =
      List.of(
          AsciiString.cached("connection"),
          AsciiString.cached("keep-alive"),
          AsciiString.cached("proxy-authenticate"),
          AsciiString.cached("proxy-authorization"),
          AsciiString.cached("proxy-connection"),
          AsciiString.cached("te"),
          AsciiString.cached("trailer"),
          AsciiString.cached("transfer-encoding"),
          AsciiString.cached("upgrade"),
          AsciiString.cached("host"),
          AsciiString.cached("content-length"),
          AsciiString.cached("expect"));

  private static final CharSequence APPLICATION_JSON =
      HttpHeaders.createOptimized("application/json");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  private static final CharSequence X_FORWARDED_FOR =
      HttpHeaders.createOptimized("X-Forwarded-For");

  /**
   * Where a caller claims an address of its choosing: {@code X-Forwarded-For} is replaced by the
   * address {@link ClientAddress} establishes, and these two, which would contradict it, are
   * dropped.
   */
  private static final List<CharSequence> CLAIMED_ADDRESS =
      List.of(
          X_FORWARDED_FOR,
          HttpHeaders.createOptimized("Forwarded"),
          HttpHeaders.createOptimized("X-Real-IP"));

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private ForwardedHeaders() {}

  /**
   * Turns the request's headers into the instance's, in place (the incoming map is ours and not
   * needed afterwards); {@code rpc}: the body is the /rpc envelope's JSON request. Returns the
   * request id sent.
   */
  static CharSequence toInstance(
      HttpServerRequest request, boolean rpc, ClientAddress clientAddress) {
    MultiMap headers = request.headers();
    SocketAddress peer = request.connection().remoteAddress();
    String client = peer == null ? null : peer.hostAddress();
    if (client != null) {
      client = clientAddress.of(client, headers);
    }
    dropHopByHop(headers);
    for (CharSequence name : CLAIMED_ADDRESS) {
      headers.remove(name);
    }
    if (rpc || !headers.contains(HttpHeaders.CONTENT_TYPE)) {
      headers.set(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    CharSequence requestId = headers.get(X_REQUEST_ID);
    if (requestId == null) {
      requestId = requestId(random);
      headers.set(X_REQUEST_ID, requestId);
    }
    if (!headers.contains(TRACEPARENT)) {
      headers.set(TRACEPARENT, traceparent(random));
    }
    if (client != null) {
      headers.set(X_FORWARDED_FOR, client);
    }
    return requestId;
  }

  /**
   * The instance's answer headers onto the caller's response, with the request id unless it sent
   * one.
   */
  static void toCaller(MultiMap answer, HttpServerResponse out, CharSequence requestId) {
    dropHopByHop(answer);
    MultiMap outHeaders = out.headers().addAll(answer);
    if (!outHeaders.contains(X_REQUEST_ID)) {
      outHeaders.set(X_REQUEST_ID, requestId);
    }
  }

  /** Removes the hop-by-hop headers, and those the {@code Connection} header names. */
  private static void dropHopByHop(MultiMap headers) {
    String connection = headers.get(HttpHeaders.CONNECTION);
    if (connection != null) {
      for (String token : connection.split(",")) {
        headers.remove(token.trim());
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      headers.remove(name);
    }
  }

  /** 32 random hex digits (an X-Request-Id). */
  private static AsciiString requestId(ThreadLocalRandom random) {
    byte[] id = new byte[32];
    hex(random.nextLong(), id, 0);
    hex(random.nextLong(), id, 16);
    return new AsciiString(id, false);
  }

  /** A W3C traceparent, {@code 00-<trace id>-<parent id>-01}, with random ids. */
  private static AsciiString traceparent(ThreadLocalRandom random) {
    byte[] value = new byte[55];
    value[0] = '0';
    value[1] = '0';
    value[2] = '-';
    hex(random.nextLong(), value, 3);
    hex(random.nextLong(), value, 19);
    value[35] = '-';
    hex(random.nextLong(), value, 36);
    value[52] = '-';
    value[53] = '0';
    value[54] = '1';
    return new AsciiString(value, false);
  }

  /** The 16 hex digits of {@code value} into {@code out} at {@code at}. */
  private static void hex(long value, byte[] out, int at) {
    for (int i = at + 15; i >= at; i--) {
      out[i] = HEX[(int) value & 0xf];
      value >>>= 4;
    }
  }
}
