package dev.bellhop.services.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Micro API's path → (service, method) mapping ({@code go-micro api/router/util.apiRoute}):
 *
 * <ul>
 *   <li>{@code /foo} → {@code foo}, {@code Foo.Call}
 *   <li>{@code /foo/bar} → {@code foo}, {@code Foo.Bar}
 *   <li>{@code /v1/foo/bar} → {@code v1.foo}, {@code Foo.Bar} (a {@code v<digits>} first part)
 *   <li>{@code /foo/bar/baz} → {@code foo}, {@code Bar.Baz}; in general the service is every part
 *       but the last two, joined by dots, and the method the last two
 * </ul>
 *
 * Each method part is camel-cased on hyphens ({@code get-profiles} → {@code GetProfiles}).
 */
public final class PathMapping {
  /** Where a request goes: the Consul service name and the go-micro method. */
  public record Target(String service, String method) {}

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
  private static final Pattern VERSION = Pattern.compile("v[0-9]+");

  /** What a service accepts as a method (and what {@code /rpc} must name). */
  static final Pattern METHOD = Pattern.compile("[A-Za-z][A-Za-z0-9_]*\\.[A-Za-z][A-Za-z0-9_]*");

  /** Consul service names Bellhop routes to (DNS-label-like, dots allowed for versions). */
  static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private PathMapping() {}

  /**
   * Maps a (normalized) request path; {@code null} when the path names no valid service and method.
   */
  public static Target map(String path) {
    List<String> parts = new ArrayList<>(4);
    int i = 0;
    int n = path.length();
    while (i < n) {
      int slash = path.indexOf('/', i);
      int end = slash < 0 ? n : slash;
      if (end > i) { // empty segments (//, trailing /) vanish, as with path.Clean
        String part = path.substring(i, end);
        if (!SEGMENT.matcher(part).matches()) {
          return null;
        }
        parts.add(part);
      }
      i = end + 1;
    }
    int count = parts.size();
    if (count == 0) {
      return null;
    }
    if (count == 1) {
      return new Target(parts.get(0), camel(parts.get(0)) + ".Call");
    }
    if (count == 2) {
      return new Target(parts.get(0), camel(parts.get(0)) + "." + camel(parts.get(1)));
    }
    String method = camel(parts.get(count - 2)) + "." + camel(parts.get(count - 1));
    if (count == 3 && VERSION.matcher(parts.get(0)).matches()) {
      return new Target(parts.get(0) + "." + parts.get(1), method);
    }
    return new Target(String.join(".", parts.subList(0, count - 2)), method);
  }

  /** {@code get-profiles} → {@code GetProfiles}; {@code rates} → {@code Rates}. */
  static String camel(String part) {
    StringBuilder out = new StringBuilder(part.length());
    boolean upper = true;
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '-') {
        upper = true;
        continue;
      }
      out.append(upper ? Character.toUpperCase(c) : c);
      upper = false;
    }
    return out.toString();
  }
}
