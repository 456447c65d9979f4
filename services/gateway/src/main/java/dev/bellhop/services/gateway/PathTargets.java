package dev.bellhop.services.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request paths mapped to their targets, so a hot path is parsed once; bounded, as clients choose
 * the paths.
 */
final class PathTargets {
  private static final int MAX_CACHED_TARGETS = 4096;

  private final Map<String, PathMapping.Target> targets = new ConcurrentHashMap<>();

  /** The (normalized, as Vert.x Web would) path's target; {@code null} when it names none. */
  PathMapping.Target target(String path) {
    PathMapping.Target target = targets.get(path);
    if (target == null) {
      target = PathMapping.map(path);
      if (target != null && targets.size() < MAX_CACHED_TARGETS) {
        targets.put(path, target);
      }
    }
    return target;
  }
}
