package dev.bellhop.services.common.server;

import java.time.Duration;
import java.util.Map;

/**
 * Settings every service reads from its environment. Services read their own extra variables
 * through {@link #env(String, String)}, so tests can pass a plain map.
 */
public record ServiceConfig(
    String name,
    String bindAddress,
    int port,
    int eventLoops,
    int maxBodyBytes,
    Duration drainTimeout,
    Map<String, String> env) {

  public static ServiceConfig fromEnv(String name, int defaultPort) {
    return from(name, defaultPort, System.getenv());
  }

  public static ServiceConfig from(String name, int defaultPort, Map<String, String> env) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServiceConfig(
        name,
        get(env, "BIND_ADDR", "0.0.0.0"),
        intValue(env, "PORT", defaultPort),
        intValue(env, "EVENT_LOOPS", Math.max(1, Math.min(cores, 4))),
        intValue(env, "MAX_BODY_BYTES", 1 << 20),
        Duration.ofMillis(intValue(env, "DRAIN_TIMEOUT_MS", 15_000)),
        Map.copyOf(env));
  }

  /** The same configuration listening on another port (tests use 0: a free port). */
  public ServiceConfig withPort(int newPort) {
    return new ServiceConfig(
        name, bindAddress, newPort, eventLoops, maxBodyBytes, drainTimeout, env);
  }

  public String env(String key, String fallback) {
    return get(env, key, fallback);
  }

  public int envInt(String key, int fallback) {
    return intValue(env, key, fallback);
  }

  private static String get(Map<String, String> env, String key, String fallback) {
    String value = env.get(key);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static int intValue(Map<String, String> env, String key, int fallback) {
    String value = get(env, key, null);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got \"" + value + "\"");
    }
  }
}
