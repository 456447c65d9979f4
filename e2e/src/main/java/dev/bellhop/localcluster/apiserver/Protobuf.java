package dev.bellhop.localcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Request bodies in Kubernetes' protobuf encoding, read into the JSON the rest of the front works
 * on. client-go's generated clients write built-in kinds only in protobuf (kubectl 1.36 and Helm
 * send {@code application/vnd.kubernetes.protobuf}, no JSON fallback), so Helm's release Secrets,
 * {@code kubectl create namespace|secret|configmap} and their deletes arrive so. Served: the kinds
 * those send (Secret, ConfigMap, Namespace, and the access reviews of {@code kubectl auth can-i})
 * and DeleteOptions, with their field numbers from k8s.io/api's generated.proto; any other kind is
 * a 415 that names JSON.
 */
final class Protobuf {
  /** "k8s\0": the envelope's magic, then a runtime.Unknown {typeMeta, raw, ...}. */
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** How one field is read. */
  private sealed interface Field
      permits Text, Bytes, Int, Bool, Message, TextMap, BytesMap, Texts, Time, Messages {
    String name();
  }

  private record Text(String name) implements Field {}

  private record Bytes(String name) implements Field {}

  private record Int(String name) implements Field {}

  private record Bool(String name) implements Field {}

  private record Message(String name, Map<Integer, Field> schema) implements Field {}

  private record Messages(String name, Map<Integer, Field> schema) implements Field {}

  private record TextMap(String name) implements Field {}

  private record BytesMap(String name) implements Field {}

  private record Texts(String name) implements Field {}

  private record Time(String name) implements Field {}

  private static final Map<Integer, Field> OWNER_REFERENCE =
      Map.of(
          1,
          new Text("kind"),
          3,
          new Text("name"),
          4,
          new Text("uid"),
          5,
          new Text("apiVersion"),
          6,
          new Bool("controller"),
          7,
          new Bool("blockOwnerDeletion"));
  private static final Map<Integer, Field> OBJECT_META =
      Map.ofEntries(
          Map.entry(1, new Text("name")),
          Map.entry(2, new Text("generateName")),
          Map.entry(3, new Text("namespace")),
          Map.entry(5, new Text("uid")),
          Map.entry(6, new Text("resourceVersion")),
          Map.entry(7, new Int("generation")),
          Map.entry(8, new Time("creationTimestamp")),
          Map.entry(9, new Time("deletionTimestamp")),
          Map.entry(10, new Int("deletionGracePeriodSeconds")),
          Map.entry(11, new TextMap("labels")),
          Map.entry(12, new TextMap("annotations")),
          Map.entry(13, new Messages("ownerReferences", OWNER_REFERENCE)),
          Map.entry(14, new Texts("finalizers")));

  /** authorization/v1 ResourceAttributes (its field and label selectors are not read). */
  private static final Map<Integer, Field> RESOURCE_ATTRIBUTES =
      Map.of(
          1, new Text("namespace"),
          2, new Text("verb"),
          3, new Text("group"),
          4, new Text("version"),
          5, new Text("resource"),
          6, new Text("subresource"),
          7, new Text("name"));

  private static final Map<String, Map<Integer, Field>> KINDS =
      Map.of(
          // kubectl auth can-i, and can-i --list.
          "SelfSubjectAccessReview",
              Map.of(
                  1,
                  new Message("metadata", OBJECT_META),
                  2,
                  new Message(
                      "spec",
                      Map.of(
                          1,
                          new Message("resourceAttributes", RESOURCE_ATTRIBUTES),
                          2,
                          new Message(
                              "nonResourceAttributes",
                              Map.of(1, new Text("path"), 2, new Text("verb")))))),
          "SelfSubjectRulesReview",
              Map.of(
                  1,
                  new Message("metadata", OBJECT_META),
                  2,
                  new Message("spec", Map.of(1, new Text("namespace")))),
          "Secret",
              Map.of(
                  1,
                  new Message("metadata", OBJECT_META),
                  2,
                  new BytesMap("data"),
                  3,
                  new Text("type"),
                  4,
                  new TextMap("stringData"),
                  5,
                  new Bool("immutable")),
          "ConfigMap",
              Map.of(
                  1,
                  new Message("metadata", OBJECT_META),
                  2,
                  new TextMap("data"),
                  3,
                  new BytesMap("binaryData"),
                  4,
                  new Bool("immutable")),
          "Namespace",
              Map.of(
                  1,
                  new Message("metadata", OBJECT_META),
                  2,
                  new Message("spec", Map.of(1, new Texts("finalizers")))),
          "DeleteOptions",
              Map.of(
                  1,
                  new Int("gracePeriodSeconds"),
                  2,
                  new Message(
                      "preconditions", Map.of(1, new Text("uid"), 2, new Text("resourceVersion"))),
                  3,
                  new Bool("orphanDependents"),
                  4,
                  new Text("propagationPolicy"),
                  5,
                  new Texts("dryRun")));
  private static final Map<Integer, Field> TYPE_META =
      Map.of(1, new Text("apiVersion"), 2, new Text("kind"));

  private Protobuf() {}

  /**
   * The object a protobuf body holds, with its apiVersion and kind; 400 if malformed, 415 for a
   * kind not served.
   */
  static JsonNode read(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw Errors.badRequest("the protobuf body does not start with Kubernetes' envelope");
    }
    try {
      CodedInputStream in =
          CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length);
      ObjectNode typeMeta = NODES.objectNode();
      ByteString raw = ByteString.EMPTY;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> typeMeta = message(in.readBytes(), TYPE_META);
          case 2 -> raw = in.readBytes();
          default -> in.skipField(tag);
        }
      }
      String kind = typeMeta.path("kind").asText("");
      Map<Integer, Field> schema = KINDS.get(kind);
      if (schema == null) {
        throw Errors.unsupportedMediaType(
            "this API server reads protobuf only for Secret, ConfigMap, Namespace, "
                + "SelfSubjectAccessReview, SelfSubjectRulesReview and DeleteOptions; send "
                + (kind.isEmpty() ? "the object" : kind)
                + " as application/json");
      }
      ObjectNode object = NODES.objectNode();
      object.setAll(typeMeta);
      object.setAll(message(raw, schema));
      return object;
    } catch (IOException | IllegalArgumentException e) {
      throw Errors.badRequest("the protobuf body cannot be read: " + e.getMessage());
    }
  }

  private static ObjectNode message(ByteString bytes, Map<Integer, Field> schema)
      throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    ObjectNode object = NODES.objectNode();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      Field field = schema.get(WireFormat.getTagFieldNumber(tag));
      if (field == null) {
        in.skipField(tag);
        continue;
      }
      if (field instanceof Text t) {
        object.put(t.name(), in.readString());
      } else if (field instanceof Bytes b) {
        object.put(b.name(), Base64.getEncoder().encodeToString(in.readByteArray()));
      } else if (field instanceof Int i) {
        object.put(i.name(), in.readInt64());
      } else if (field instanceof Bool b) {
        object.put(b.name(), in.readBool());
      } else if (field instanceof Message m) {
        object.set(m.name(), message(in.readBytes(), m.schema()));
      } else if (field instanceof Messages m) {
        array(object, m.name()).add(message(in.readBytes(), m.schema()));
      } else if (field instanceof Texts t) {
        array(object, t.name()).add(in.readString());
      } else if (field instanceof TextMap t) {
        entry(object, t.name(), in.readBytes(), false);
      } else if (field instanceof BytesMap b) {
        entry(object, b.name(), in.readBytes(), true);
      } else if (field instanceof Time t) {
        ObjectNode time = message(in.readBytes(), Map.of(1, new Int("seconds")));
        object.put(t.name(), Instant.ofEpochSecond(time.path("seconds").asLong()).toString());
      }
    }
    return object;
  }

  /** One map entry (a message {key = 1, value = 2}); a bytes value becomes base64, as in JSON. */
  private static void entry(ObjectNode object, String name, ByteString bytes, boolean binary)
      throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    String key = "";
    String value = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> key = in.readString();
        case 2 ->
            value =
                binary ? Base64.getEncoder().encodeToString(in.readByteArray()) : in.readString();
        default -> in.skipField(tag);
      }
    }
    JsonNode map = object.get(name);
    (map instanceof ObjectNode o ? o : object.putObject(name)).put(key, value);
  }

  private static ArrayNode array(ObjectNode object, String name) {
    JsonNode array = object.get(name);
    return array instanceof ArrayNode a ? a : object.putArray(name);
  }
}
