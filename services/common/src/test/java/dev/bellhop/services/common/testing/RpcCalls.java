package dev.bellhop.services.common.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Calls a service on loopback as any client would: {@code POST /{Service}.{Method}} with a JSON
 * body.
 */
public final class RpcCalls {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RpcCalls() {}

  public static HttpResponse<String> post(int port, String method, String json)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + method))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
