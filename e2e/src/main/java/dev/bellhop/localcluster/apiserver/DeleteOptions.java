package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A delete's options (kube's DeleteOptions, from the body or the query) and what they do to the
 * stored object before the garbage collector (a controller beside the API server) takes over:
 * Orphan adds the {@code orphan} finalizer, Foreground {@code foregroundDeletion}, Background (the
 * default) neither, and a delete without a policy keeps the ones it finds; while any finalizer
 * remains the object is only marked ({@code deletionTimestamp}).
 *
 * @param propagationPolicy "" when the request named none
 */
record DeleteOptions(
    String propagationPolicy,
    Long gracePeriodSeconds,
    String uid,
    String resourceVersion,
    boolean dryRun) {
  static final String ORPHAN = "orphan";
  static final String FOREGROUND = "foregroundDeletion";

  static DeleteOptions of(ApiRequest request) {
    JsonNode body = Storage.JSON.createObjectNode();
    if (request.body() != null && request.body().length > 0) {
      body = Bodies.read(request);
    }
    RequestInfo info = request.info();
    String policy =
        body.path("propagationPolicy").asText(info.param("propagationPolicy").orElse(""));
    boolean orphan =
        body.path("orphanDependents")
            .asBoolean(info.param("orphanDependents").map(Boolean::parseBoolean).orElse(false));
    if (policy.isEmpty() && orphan) {
      policy = "Orphan";
    }
    if (!policy.isEmpty() && !List.of("Orphan", "Foreground", "Background").contains(policy)) {
      throw Errors.badRequest(
          "propagationPolicy: Unsupported value: \""
              + policy
              + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
    }
    Long grace =
        body.hasNonNull("gracePeriodSeconds")
            ? Long.valueOf(body.get("gracePeriodSeconds").asLong())
            : info.param("gracePeriodSeconds").map(Long::valueOf).orElse(null);
    JsonNode preconditions = body.path("preconditions");
    boolean dryRun = body.path("dryRun").isArray() && !body.path("dryRun").isEmpty();
    return new DeleteOptions(
        policy,
        grace,
        preconditions.path("uid").asText(""),
        preconditions.path("resourceVersion").asText(""),
        dryRun);
  }

  void checkPreconditions(RequestInfo info, ObjectNode stored) {
    JsonNode meta = stored.path("metadata");
    if (!uid.isEmpty() && !uid.equals(meta.path("uid").asText())) {
      throw Errors.conflict(
          info,
          info.name(),
          "Precondition failed: UID in precondition: "
              + uid
              + ", UID in object meta: "
              + meta.path("uid").asText());
    }
    if (!resourceVersion.isEmpty()
        && !resourceVersion.equals(meta.path("resourceVersion").asText())) {
      throw Errors.conflict(
          info,
          info.name(),
          "Precondition failed: ResourceVersion in precondition: "
              + resourceVersion
              + ", ResourceVersion in object meta: "
              + meta.path("resourceVersion").asText());
    }
  }

  /**
   * The object to store instead of deleting it: finalizers as the policy asks and the deletion
   * marks set; null when no finalizer remains and the object goes now.
   */
  ObjectNode mark(ObjectNode stored, String now) {
    ObjectNode marked = stored.deepCopy();
    ObjectNode meta = Writes.metadata(marked);
    List<String> finalizers = new ArrayList<>();
    meta.path("finalizers").forEach(f -> finalizers.add(f.asText()));
    // Without a policy the GC finalizers stay as they are (an object already orphaning keeps
    // orphaning), as in kube.
    if (!propagationPolicy.isEmpty()) {
      finalizers.remove(ORPHAN);
      finalizers.remove(FOREGROUND);
      if (propagationPolicy.equals("Orphan")) {
        finalizers.add(ORPHAN);
      } else if (propagationPolicy.equals("Foreground")) {
        finalizers.add(FOREGROUND);
      }
    }
    if (finalizers.isEmpty()) {
      return null;
    }
    ArrayNode list = meta.putArray("finalizers");
    finalizers.forEach(list::add);
    if (!meta.has("deletionTimestamp")) {
      meta.put("deletionTimestamp", now);
      meta.put("deletionGracePeriodSeconds", gracePeriodSeconds == null ? 0 : gracePeriodSeconds);
    }
    return marked;
  }
}
