package dev.bellhop.localcluster.apiserver.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.bellhop.localcluster.apiserver.Errors;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Request bodies in kube's protobuf encoding ({@code application/vnd.kubernetes.protobuf}), read
 * into the JSON the rest of the front works on. client-go's typed clients send every write this
 * way (kubectl 1.36's {@code create namespace}, Helm's release Secrets and {@code
 * --create-namespace}), and neither falls back to JSON on a 415. The envelope is kube's: the magic
 * {@code k8s\0}, then a {@code runtime.Unknown} with the TypeMeta and the object's bytes. Only the
 * kinds those clients write are described (Namespace, Secret, ConfigMap with ObjectMeta, and the
 * DeleteOptions of a delete; field numbers from k8s.io/api's generated.proto); any other kind is a
 * 415 naming them.
 */
public final class KubeProtobuf {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private enum Type { STRING, BYTES, INT64, BOOL, MESSAGE, TIME, STRING_MAP, BYTES_MAP }

  private record Field(String name, Type type, boolean repeated, Map<Integer, Field> message) {
    static Field of(String name, Type type) {
      return new Field(name, type, false, null);
    }

    static Field list(String name, Type type) {
      return new Field(name, type, true, null);
    }

    static Field message(String name, Map<Integer, Field> message) {
      return new Field(name, Type.MESSAGE, false, message);
    }

    static Field messages(String name, Map<Integer, Field> message) {
      return new Field(name, Type.MESSAGE, true, message);
    }
  }

  private static final Map<Integer, Field> OWNER_REFERENCE = Map.of(
      1, Field.of("kind", Type.STRING), 3, Field.of("name", Type.STRING), 4, Field.of("uid", Type.STRING),
      5, Field.of("apiVersion", Type.STRING), 6, Field.of("controller", Type.BOOL),
      7, Field.of("blockOwnerDeletion", Type.BOOL));
  private static final Map<Integer, Field> OBJECT_META = Map.ofEntries(
      Map.entry(1, Field.of("name", Type.STRING)), Map.entry(2, Field.of("generateName", Type.STRING)),
      Map.entry(3, Field.of("namespace", Type.STRING)), Map.entry(4, Field.of("selfLink", Type.STRING)),
      Map.entry(5, Field.of("uid", Type.STRING)), Map.entry(6, Field.of("resourceVersion", Type.STRING)),
      Map.entry(7, Field.of("generation", Type.INT64)), Map.entry(8, Field.of("creationTimestamp", Type.TIME)),
      Map.entry(9, Field.of("deletionTimestamp", Type.TIME)),
      Map.entry(10, Field.of("deletionGracePeriodSeconds", Type.INT64)),
      Map.entry(11, Field.of("labels", Type.STRING_MAP)), Map.entry(12, Field.of("annotations", Type.STRING_MAP)),
      Map.entry(13, Field.messages("ownerReferences", OWNER_REFERENCE)),
      Map.entry(14, Field.list("finalizers", Type.STRING)));
  /** Helm's typed client deletes its release Secrets with a body ({@code v1} or {@code meta.k8s.io/v1}). */
  private static final Map<Integer, Field> DELETE_OPTIONS = Map.of(
      1, Field.of("gracePeriodSeconds", Type.INT64),
      2, Field.message("preconditions", Map.of(1, Field.of("uid", Type.STRING),
          2, Field.of("resourceVersion", Type.STRING))),
      3, Field.of("orphanDependents", Type.BOOL), 4, Field.of("propagationPolicy", Type.STRING),
      5, Field.list("dryRun", Type.STRING));
  private static final Map<String, Map<Integer, Field>> KINDS = Map.of(
      "v1/DeleteOptions", DELETE_OPTIONS, "meta.k8s.io/v1/DeleteOptions", DELETE_OPTIONS,
      "v1/Namespace", Map.of(1, Field.message("metadata", OBJECT_META),
          2, Field.message("spec", Map.of(1, Field.list("finalizers", Type.STRING))),
          3, Field.message("status", Map.of(1, Field.of("phase", Type.STRING)))),
      "v1/Secret", Map.of(1, Field.message("metadata", OBJECT_META), 2, Field.of("data", Type.BYTES_MAP),
          3, Field.of("type", Type.STRING), 4, Field.of("stringData", Type.STRING_MAP),
          5, Field.of("immutable", Type.BOOL)),
      "v1/ConfigMap", Map.of(1, Field.message("metadata", OBJECT_META), 2, Field.of("data", Type.STRING_MAP),
          3, Field.of("binaryData", Type.BYTES_MAP), 4, Field.of("immutable", Type.BOOL)));

  private KubeProtobuf() {}

  public static ObjectNode read(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw Errors.badRequest("the body of the request is not kube's protobuf encoding (no k8s\\0 prefix)");
    }
    try {
      CodedInputStream in = CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length);
      String apiVersion = "";
      String kind = "";
      ByteString raw = ByteString.EMPTY;
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> {
            CodedInputStream typeMeta = in.readBytes().newCodedInput();
            int t;
            while ((t = typeMeta.readTag()) != 0) {
              switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> apiVersion = typeMeta.readStringRequireUtf8();
                case 2 -> kind = typeMeta.readStringRequireUtf8();
                default -> typeMeta.skipField(t);
              }
            }
          }
          case 2 -> raw = in.readBytes();
          default -> in.skipField(tag);
        }
      }
      Map<Integer, Field> schema = KINDS.get(apiVersion + "/" + kind);
      if (schema == null) {
        throw Errors.unsupportedMediaType("the local API server reads protobuf bodies of " + List.copyOf(
            new java.util.TreeSet<>(KINDS.keySet())) + " only, not " + apiVersion + " " + kind
            + ": send it as application/json");
      }
      ObjectNode object = JSON.objectNode();
      object.put("apiVersion", apiVersion).put("kind", kind);
      message(raw.newCodedInput(), schema, object);
      return object;
    } catch (IOException e) {
      throw Errors.badRequest("the body of the request is not valid protobuf: " + e.getMessage());
    }
  }

  private static void message(CodedInputStream in, Map<Integer, Field> schema, ObjectNode into) throws IOException {
    int tag;
    while ((tag = in.readTag()) != 0) {
      Field field = schema.get(WireFormat.getTagFieldNumber(tag));
      if (field == null) {
        in.skipField(tag);
        continue;
      }
      switch (field.type()) {
        case STRING -> put(into, field, JSON.textNode(in.readStringRequireUtf8()));
        case BYTES -> put(into, field, JSON.textNode(Base64.getEncoder().encodeToString(in.readByteArray())));
        case INT64 -> put(into, field, JSON.numberNode(in.readInt64()));
        case BOOL -> put(into, field, JSON.booleanNode(in.readBool()));
        case TIME -> put(into, field, JSON.textNode(time(in.readBytes().newCodedInput())));
        case MESSAGE -> {
          ObjectNode nested = JSON.objectNode();
          message(in.readBytes().newCodedInput(), field.message(), nested);
          put(into, field, nested);
        }
        case STRING_MAP, BYTES_MAP -> entry(in.readBytes().newCodedInput(), field.type() == Type.BYTES_MAP,
            into.with(field.name()));
        default -> in.skipField(tag);
      }
    }
  }

  private static void put(ObjectNode into, Field field, JsonNode value) {
    if (field.repeated()) {
      ArrayNode list = into.has(field.name()) ? (ArrayNode) into.get(field.name()) : into.putArray(field.name());
      list.add(value);
    } else {
      into.set(field.name(), value);
    }
  }

  /** A map entry: key 1, value 2 (bytes base64-encoded, as in kube's JSON). */
  private static void entry(CodedInputStream in, boolean bytes, ObjectNode map) throws IOException {
    String key = "";
    JsonNode value = JSON.textNode("");
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> key = in.readStringRequireUtf8();
        case 2 -> value = JSON.textNode(bytes ? Base64.getEncoder().encodeToString(in.readByteArray())
            : in.readStringRequireUtf8());
        default -> in.skipField(tag);
      }
    }
    map.set(key, value);
  }

  /** metav1.Time: seconds 1, nanos 2; JSON as kube writes it, RFC 3339 to the second. */
  private static String time(CodedInputStream in) throws IOException {
    long seconds = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        seconds = in.readInt64();
      } else {
        in.skipField(tag);
      }
    }
    return Instant.ofEpochSecond(seconds).toString();
  }

  /** Whether a media type is kube's protobuf. */
  public static boolean is(String mediaType) {
    return "application/vnd.kubernetes.protobuf".equals(mediaType);
  }
}
