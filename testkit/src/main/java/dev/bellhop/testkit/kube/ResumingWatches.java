package dev.bellhop.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;

/**
 * The mixed dispatcher, with watches that start where the client's list ended. The CRUD mock opens
 * every watch by sending each stored object as ADDED, whatever {@code resourceVersion} the watch
 * asked for; a real API server sends only what changed after it. An informer that lists and then
 * watches would otherwise see every object twice at start (10,000 pods: 10,000 extra events).
 * Watches without a version (or "0") still get every object, as on a real server.
 */
final class ResumingWatches extends KubernetesMixedDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  ResumingWatches(Map<ServerRequest, Queue<ServerResponse>> expectations) {
    super(expectations);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    MockResponse response = super.dispatch(request);
    long from = watchedFrom(request.getPath());
    if (from > 0 && response.getWebSocketListener() != null) {
      response.withWebSocketUpgrade(new SkipUnchanged(response.getWebSocketListener(), from));
    }
    return response;
  }

  /** The resourceVersion a watch request starts from; 0 for none, and for anything but a watch. */
  static long watchedFrom(String path) {
    String query = URI.create(path).getRawQuery();
    if (query == null) {
      return 0;
    }
    boolean watch = false;
    long version = 0;
    for (String parameter : query.split("&")) {
      int eq = parameter.indexOf('=');
      String name = eq < 0 ? parameter : parameter.substring(0, eq);
      String value =
          eq < 0 ? "" : URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
      if (name.equals("watch")) {
        watch = value.equals("true") || value.equals("1");
      } else if (name.equals("resourceVersion")) {
        version = parseVersion(value);
      }
    }
    return watch ? version : 0;
  }

  private static long parseVersion(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** True for an ADDED event of an object not written after {@code from}: the mock's replay. */
  static boolean isReplay(String event, long from) {
    try {
      JsonNode node = JSON.readTree(event);
      return "ADDED".equals(node.path("type").asText())
          && parseVersion(node.path("object").path("metadata").path("resourceVersion").asText())
              <= from;
    } catch (IOException e) {
      return false;
    }
  }

  /** Passes everything through, except the replay of objects the client already has. */
  private static final class SkipUnchanged extends WebSocketListener {
    private final WebSocketListener delegate;
    private final long from;

    SkipUnchanged(WebSocketListener delegate, long from) {
      this.delegate = delegate;
      this.from = from;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      delegate.onOpen(
          new WebSocket() {
            @Override
            public RecordedRequest request() {
              return webSocket.request();
            }

            @Override
            public boolean send(String text) {
              return isReplay(text, from) || webSocket.send(text);
            }

            @Override
            public boolean send(byte[] bytes) {
              return webSocket.send(bytes);
            }

            @Override
            public boolean close(int code, String reason) {
              return webSocket.close(code, reason);
            }
          },
          response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      delegate.onClosed(webSocket, code, reason);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
      delegate.onFailure(webSocket, error, response);
    }
  }
}
