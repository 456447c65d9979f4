package dev.bellhop.localcluster.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bellhop.localcluster.apiserver.ApiError.Cause;
import java.util.List;
import java.util.regex.Pattern;

/**
 * kube's ObjectMeta rules for a custom resource's name ({@code NameIsDNSSubdomain}): a name or a
 * generateName, each a lowercase RFC 1123 subdomain of at most 253 characters (generateName may end
 * in '-', the random suffix follows it). Messages are apimachinery's.
 */
final class ObjectMetaRules {
  static final int DNS1123_SUBDOMAIN_MAX = 253;
  static final String DNS1123_SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  private static final Pattern SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN);
  private static final String SUBDOMAIN_MESSAGE =
      "a lowercase RFC 1123 subdomain must consist of lower case "
          + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
          + "'example.com', regex used for validation is '"
          + DNS1123_SUBDOMAIN
          + "')";

  private ObjectMetaRules() {}

  static void validate(JsonNode metadata, List<Cause> out) {
    String name = metadata.path("name").asText("");
    String generateName = metadata.path("generateName").asText("");
    if (name.isEmpty() && generateName.isEmpty()) {
      out.add(FieldErrors.required("metadata.name", "name or generateName is required"));
    }
    if (!name.isEmpty()) {
      subdomain("metadata.name", name, name, out);
    }
    if (!generateName.isEmpty()) {
      // kube masks a trailing dash of a prefix ("web-" checks as "web-a")
      String masked =
          generateName.endsWith("-")
              ? generateName.substring(0, generateName.length() - 1) + "a"
              : generateName;
      subdomain("metadata.generateName", generateName, masked, out);
    }
  }

  private static void subdomain(String field, String value, String checked, List<Cause> out) {
    if (checked.length() > DNS1123_SUBDOMAIN_MAX) {
      out.add(
          FieldErrors.invalid(
              field,
              FieldErrors.quote(value),
              "must be no more than " + DNS1123_SUBDOMAIN_MAX + " characters"));
    }
    if (!SUBDOMAIN.matcher(checked).matches()) {
      out.add(FieldErrors.invalid(field, FieldErrors.quote(value), SUBDOMAIN_MESSAGE));
    }
  }
}
