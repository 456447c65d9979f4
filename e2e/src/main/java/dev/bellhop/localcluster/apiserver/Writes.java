package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bellhop.localcluster.apiserver.admission.AdmissionPlugin;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest;
import dev.bellhop.localcluster.apiserver.admission.AdmissionRequest.Operation;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Creates, updates, patches and deletes as kube-apiserver's registry does, computing in the front
 * the whole object that would be stored, so that admission sees it, then storing it with a
 * resourceVersion precondition. The store (fabric8's mock) only keeps what it is given.
 */
final class Writes {
  /** Retries of a read-modify-write that lost a race and carried no resourceVersion of its own. */
  private static final int ATTEMPTS = 8;

  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Storage storage;
  private final Discovery discovery;
  private final List<AdmissionPlugin> admission;

  Writes(Storage storage, Discovery discovery, List<AdmissionPlugin> admission) {
    this.storage = storage;
    this.discovery = discovery;
    this.admission = admission;
  }

  /** The object that a request's body holds, or a 400 / 415. */
  static ObjectNode object(ApiRequest request) {
    JsonNode node = Bodies.read(request);
    if (!node.isObject()) {
      throw Errors.badRequest("the body of the request is not a JSON object");
    }
    return (ObjectNode) node;
  }

  ApiRequest.Response create(ApiRequest request, Discovery.Resource resource) {
    RequestInfo info = request.info();
    ObjectNode object = object(request);
    checkKind(object, resource);
    ObjectNode meta = metadata(object);
    if (resource.namespaced()) {
      String ns = meta.path("namespace").asText("");
      if (!ns.isEmpty() && !ns.equals(info.namespace())) {
        throw Errors.badRequest(
            "the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.put("namespace", info.namespace());
    } else {
      meta.remove("namespace");
    }
    if (meta.path("name").asText("").isEmpty()) {
      String generate = meta.path("generateName").asText("");
      if (generate.isEmpty()) {
        throw ApiError.invalid(
            resource.group(),
            resource.kind(),
            "",
            List.of(
                new ApiError.Cause(
                    "FieldValueRequired",
                    "metadata.name",
                    "Required value: name or generateName is required")));
      }
      meta.put("name", generate + randomSuffix());
    }
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", now());
    meta.remove(
        List.of("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion", "selfLink"));
    meta.put("generation", 1);
    if (resource.status() && !resource.builtIn()) {
      object.remove("status"); // a custom resource's status is written through /status only
    }
    List<String> warnings = FieldValidation.check(request, resource, object);
    admit(Operation.CREATE, request, resource, object, null);
    if (request.info().param("dryRun").isPresent()) {
      return new ApiRequest.Response(201, object, warnings);
    }
    Storage.Reply reply = storage.post(request.collectionPath(), object);
    if (reply.code() == 409) {
      throw Errors.alreadyExists(info, meta.path("name").asText());
    }
    JsonNode stored = stored(reply, info, meta.path("name").asText());
    established(resource, stored);
    return new ApiRequest.Response(201, stored, warnings);
  }

  /** PUT: the body replaces the stored object (its status only, on /status). */
  ApiRequest.Response update(ApiRequest request, Discovery.Resource resource) {
    ObjectNode body = object(request);
    checkKind(body, resource);
    String name = metadata(body).path("name").asText("");
    if (!name.isEmpty() && !name.equals(request.info().name())) {
      throw Errors.badRequest(
          "the name of the object ("
              + name
              + ") does not match the name on the URL ("
              + request.info().name()
              + ")");
    }
    String precondition = metadata(body).path("resourceVersion").asText("");
    List<String> warnings = FieldValidation.check(request, resource, body);
    return readModifyWrite(request, resource, precondition, stored -> body.deepCopy(), warnings);
  }

  /** PATCH: applied here to the stored object; server-side apply creates what does not exist. */
  ApiRequest.Response patch(ApiRequest request, Discovery.Resource resource) {
    Patches.Type type = Patches.type(request.contentType(), resource);
    JsonNode patch = Patches.read(type, request);
    String precondition = Patches.resourceVersion(type, patch);
    if (type == Patches.Type.APPLY && request.info().subresource() == null) {
      Storage.Reply existing = storage.get(request.objectPath());
      if (existing.code() == 404) {
        ApiRequest create =
            new ApiRequest(
                request.info(),
                request.user(),
                "application/json",
                request.accept(),
                patch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return create(create, resource);
      }
    }
    List<String> warnings = new ArrayList<>();
    return readModifyWrite(
        request,
        resource,
        precondition,
        stored -> {
          ObjectNode patched = Patches.apply(type, stored, patch);
          warnings.clear();
          warnings.addAll(FieldValidation.check(request, resource, patched));
          return patched;
        },
        warnings);
  }

  /**
   * PUT or PATCH of /scale: the Scale's spec.replicas written into the object, answered as a Scale.
   */
  ApiRequest.Response scale(ApiRequest request, Discovery.Resource resource) {
    boolean patch = request.info().verb().equals("patch");
    Patches.Type type = patch ? Patches.type(request.contentType(), Scales.RESOURCE) : null;
    JsonNode body = patch ? Patches.read(type, request) : object(request);
    String precondition =
        patch
            ? Patches.resourceVersion(type, body)
            : body.path("metadata").path("resourceVersion").asText("");
    ApiRequest.Response written =
        readModifyWrite(
            request,
            resource,
            precondition,
            stored -> {
              ObjectNode scale = Scales.of(stored, resource.scale());
              ObjectNode changed = patch ? Patches.apply(type, scale, body) : (ObjectNode) body;
              JsonNode replicas = changed.at("/spec/replicas");
              if (!replicas.canConvertToInt() || replicas.asInt() < 0) {
                throw ApiError.invalid(
                    "autoscaling",
                    "Scale",
                    request.info().name(),
                    List.of(
                        new ApiError.Cause(
                            "FieldValueInvalid",
                            "spec.replicas",
                            "Invalid value: "
                                + replicas
                                + ": must be greater than or equal to 0")));
              }
              Scales.setReplicas(stored, resource.scale(), replicas.asInt());
              return stored;
            },
            List.of());
    return new ApiRequest.Response(200, Scales.of(written.body(), resource.scale()));
  }

  interface Change {
    ObjectNode apply(ObjectNode stored);
  }

  /**
   * kube's GuaranteedUpdate: read, change, admit, store on the read's resourceVersion; a lost race
   * is tried again unless the client named a resourceVersion (then it is the client's 409).
   */
  private ApiRequest.Response readModifyWrite(
      ApiRequest request,
      Discovery.Resource resource,
      String precondition,
      Change change,
      List<String> warnings) {
    RequestInfo info = request.info();
    boolean status = "status".equals(info.subresource());
    for (int attempt = 1; ; attempt++) {
      ObjectNode stored = read(request);
      String storedVersion = metadata(stored).path("resourceVersion").asText();
      if (!precondition.isEmpty() && !precondition.equals(storedVersion)) {
        throw Errors.stale(info, info.name());
      }
      ObjectNode changed = change.apply(stored.deepCopy());
      ObjectNode result;
      if (status) {
        result = stored.deepCopy();
        if (changed.has("status")) {
          result.set("status", changed.get("status"));
        } else {
          result.remove("status");
        }
      } else {
        result = changed;
        if (resource.status()) {
          if (stored.has("status")) {
            result.set("status", stored.get("status"));
          } else {
            result.remove("status");
          }
        }
        String name = metadata(result).path("name").asText("");
        if (!name.equals(info.name())) {
          throw Errors.badRequest(
              "the name of the object ("
                  + name
                  + ") does not match the name on the URL ("
                  + info.name()
                  + ")");
        }
      }
      keepSystemFields(stored, result, resource);
      metadata(result).put("resourceVersion", storedVersion);
      checkKind(result, resource);
      admit(Operation.UPDATE, request, resource, result, stored);
      if (info.param("dryRun").isPresent()) {
        return new ApiRequest.Response(200, result, warnings);
      }
      Storage.Reply reply =
          storage.put(status ? request.objectPath() + "/status" : request.objectPath(), result);
      if (reply.code() == 409) {
        if (precondition.isEmpty() && attempt < ATTEMPTS) {
          continue;
        }
        throw Errors.stale(info, info.name());
      }
      JsonNode written = reply.body().isObject() ? reply.body() : result;
      if (reply.code() == 404) {
        throw Errors.notFound(info, info.name());
      }
      established(resource, written);
      return new ApiRequest.Response(
          200, stored(new Storage.Reply(200, written), info, info.name()), warnings);
    }
  }

  /**
   * DELETE: finalizers as the delete options ask, then gone, or marked for deletion while
   * finalizers remain.
   */
  ApiRequest.Response delete(ApiRequest request, Discovery.Resource resource) {
    RequestInfo info = request.info();
    DeleteOptions options = DeleteOptions.of(request);
    for (int attempt = 1; ; attempt++) {
      ObjectNode stored = read(request);
      options.checkPreconditions(info, stored);
      admit(Operation.DELETE, request, resource, stored.deepCopy(), stored);
      ObjectNode marked = options.mark(stored, now());
      if (info.param("dryRun").isPresent() || options.dryRun()) {
        return new ApiRequest.Response(200, marked == null ? stored : marked);
      }
      if (marked != null) {
        if (marked.equals(stored)) {
          return new ApiRequest.Response(200, stored); // already being deleted, nothing new asked
        }
        Storage.Reply reply = storage.put(request.objectPath(), marked);
        if (reply.code() == 409 && attempt < ATTEMPTS) {
          continue;
        }
        return new ApiRequest.Response(200, stored(reply, info, info.name()));
      }
      Storage.Reply reply = storage.delete(request.objectPath());
      if (reply.code() == 404) {
        throw Errors.notFound(info, info.name());
      }
      if (resource.kind().equals("CustomResourceDefinition")) {
        discovery.remove(info.name());
      }
      // Custom resources answer with the deleted object, built-in kinds with a Status (as kube's
      // registries do).
      return new ApiRequest.Response(
          200, resource.builtIn() ? Errors.success(info, stored) : stored);
    }
  }

  /** deletecollection: each listed object deleted with the same options. */
  ApiRequest.Response deleteCollection(
      ApiRequest request, Discovery.Resource resource, JsonNode list) {
    ArrayNode deleted = Storage.JSON.createArrayNode();
    for (JsonNode item : list.path("items")) {
      String name = item.path("metadata").path("name").asText();
      RequestInfo info = request.info();
      RequestInfo one =
          new RequestInfo(
              "delete",
              info.path() + "/" + name,
              true,
              info.apiGroup(),
              info.apiVersion(),
              info.namespace() != null
                  ? info.namespace()
                  : item.path("metadata").path("namespace").asText(null),
              info.resource(),
              null,
              name,
              info.query());
      try {
        delete(
            new ApiRequest(
                one, request.user(), request.contentType(), request.accept(), request.body()),
            resource);
        deleted.add(item);
      } catch (ApiError e) {
        if (e.code() != 404) {
          throw e;
        }
      }
    }
    ObjectNode result = ((ObjectNode) list).deepCopy();
    result.set("items", deleted);
    return new ApiRequest.Response(200, result);
  }

  private ObjectNode read(ApiRequest request) {
    Storage.Reply reply = storage.get(request.objectPath());
    if (reply.code() == 404 || !reply.body().isObject()) {
      throw Errors.notFound(request.info(), request.info().name());
    }
    return (ObjectNode) reply.body();
  }

  private void admit(
      Operation operation,
      ApiRequest request,
      Discovery.Resource resource,
      ObjectNode object,
      JsonNode old) {
    AdmissionRequest admissionRequest =
        new AdmissionRequest(
            operation, request.info(), request.user(), resource.kind(), object, old);
    for (AdmissionPlugin plugin : admission) {
      plugin.admit(admissionRequest);
    }
  }

  /**
   * A CRD serves its kind once stored (kube's "established"); the mock learns its plural from the
   * store itself.
   */
  private void established(Discovery.Resource resource, JsonNode stored) {
    if (resource.kind().equals("CustomResourceDefinition") && stored.isObject()) {
      discovery.add(Storage.JSON.convertValue(stored, CustomResourceDefinition.class));
    }
  }

  private static JsonNode stored(Storage.Reply reply, RequestInfo info, String name) {
    if (reply.code() == 404) {
      throw Errors.notFound(info, name);
    }
    if (!reply.ok()) {
      throw Errors.internal("the store answered " + reply.code() + ": " + reply.body());
    }
    return reply.body();
  }

  /**
   * What a client cannot change: identity, age, deletion marks, generation (the store bumps it).
   */
  private static void keepSystemFields(
      ObjectNode stored, ObjectNode updated, Discovery.Resource resource) {
    ObjectNode from = metadata(stored);
    ObjectNode to = metadata(updated);
    for (String field :
        List.of(
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "namespace")) {
      if (from.has(field)) {
        to.set(field, from.get(field));
      } else {
        to.remove(field);
      }
    }
  }

  /** apiVersion and kind default to the URL's, and must match it when given. */
  private static void checkKind(ObjectNode object, Discovery.Resource resource) {
    defaultOrMatch(object, "apiVersion", resource.groupVersion(), "API version");
    defaultOrMatch(object, "kind", resource.kind(), "kind");
  }

  private static void defaultOrMatch(
      ObjectNode object, String field, String expected, String what) {
    String given = object.path(field).asText("");
    if (given.isEmpty()) {
      object.put(field, expected);
    } else if (!given.equals(expected)) {
      throw Errors.badRequest(
          "the "
              + what
              + " in the data ("
              + given
              + ") does not match the expected "
              + what
              + " ("
              + expected
              + ")");
    }
  }

  static ObjectNode metadata(ObjectNode object) {
    JsonNode meta = object.get("metadata");
    if (meta == null || !meta.isObject()) {
      return object.putObject("metadata");
    }
    return (ObjectNode) meta;
  }

  /** RFC 3339 in UTC to the second, as kube writes metav1.Time ({@code 2026-12-04T17:58:01Z}). */
  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** kube's names.SimpleNameGenerator: five characters that cannot spell words. */
  private static String randomSuffix() {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
    }
    return suffix.toString();
  }
}
