package dev.bellhop.localcluster.apiserver.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * kube's name formats ({@code apimachinery/pkg/util/validation} and {@code api/validate/content}),
 * each returning kube's messages word for word: an empty list when the value is valid.
 */
public final class Names {
  private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1123_SUBDOMAIN_FMT =
      DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
  private static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
  private static final String LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final String LABEL_VALUE_FMT = "(" + LABEL_KEY_FMT + ")?";
  private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
  private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_LABEL_FMT);
  private static final Pattern LABEL_KEY = Pattern.compile(LABEL_KEY_FMT);
  private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
  private static final Pattern PORT_NAME_CHARSET = Pattern.compile("[-a-z0-9]+");
  private static final Pattern ONE_LETTER = Pattern.compile(".*[a-z].*");

  private Names() {}

  public static List<String> dns1123Label(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 63) {
      errors.add(maxLen(63));
    }
    if (!DNS1123_LABEL.matcher(value).matches()) {
      errors.add(
          DNS1123_SUBDOMAIN.matcher(value).matches()
              ? "must not contain dots"
              : regexError(
                  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                      + "must start and end with an alphanumeric character",
                  DNS1123_LABEL_FMT,
                  "my-name",
                  "123-abc"));
    }
    return errors;
  }

  public static List<String> dns1123Subdomain(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 253) {
      errors.add(maxLen(253));
    }
    if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
      errors.add(
          regexError(
              "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
                  + "or '.', and must start and end with an alphanumeric character",
              DNS1123_SUBDOMAIN_FMT,
              "example.com"));
    }
    return errors;
  }

  public static List<String> dns1035Label(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 63) {
      errors.add(maxLen(63));
    }
    if (!DNS1035_LABEL.matcher(value).matches()) {
      errors.add(
          regexError(
              "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                  + "an alphabetic character, and end with an alphanumeric character",
              DNS1035_LABEL_FMT,
              "my-name",
              "abc-123"));
    }
    return errors;
  }

  /** RBAC objects' names: anything that is a safe path segment. */
  public static List<String> pathSegment(String value) {
    if (value.equals(".") || value.equals("..")) {
      return List.of("may not be '" + value + "'");
    }
    List<String> errors = new ArrayList<>();
    for (String illegal : List.of("/", "%")) {
      if (value.contains(illegal)) {
        errors.add("may not contain '" + illegal + "'");
      }
    }
    return errors;
  }

  /** A container port's name (IANA_SVC_NAME): at most 15, [-a-z0-9], one letter, no "--". */
  public static List<String> portName(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 15) {
      errors.add(maxLen(15));
    }
    if (!PORT_NAME_CHARSET.matcher(value).matches()) {
      errors.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (!ONE_LETTER.matcher(value).matches()) {
      errors.add("must contain at least one letter (a-z)");
    }
    if (value.contains("--")) {
      errors.add("must not contain consecutive hyphens");
    }
    if (!value.isEmpty() && (value.charAt(0) == '-' || value.charAt(value.length() - 1) == '-')) {
      errors.add("must not begin or end with a hyphen");
    }
    return errors;
  }

  /** A label key or annotation key (kube's "qualified name"). */
  public static List<String> labelKey(String value) {
    List<String> errors = new ArrayList<>();
    String[] parts = value.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      name = parts[1];
      if (parts[0].isEmpty()) {
        errors.add("prefix part must be non-empty");
      } else {
        dns1123Subdomain(parts[0]).forEach(m -> errors.add("prefix part " + m));
      }
    } else {
      return List.of(
          "a valid label key "
              + regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
              + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    }
    if (name.isEmpty()) {
      errors.add("name part must be non-empty");
    } else if (name.length() > 63) {
      errors.add("name part " + maxLen(63));
    }
    if (!LABEL_KEY.matcher(name).matches()) {
      errors.add(
          "name part " + regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc"));
    }
    return errors;
  }

  private static final String LABEL_KEY_MSG =
      "must consist of alphanumeric characters, '-', '_' or '.', and must "
          + "start and end with an alphanumeric character";

  public static List<String> labelValue(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 63) {
      errors.add(maxLen(63));
    }
    if (!LABEL_VALUE.matcher(value).matches()) {
      errors.add(
          regexError(
              "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                  + "or '.', and must start and end with an alphanumeric character",
              LABEL_VALUE_FMT,
              "MyValue",
              "my_value",
              "12345"));
    }
    return errors;
  }

  static String maxLen(int length) {
    return "must be no more than " + length + " characters";
  }

  /** kube's RegexError, with its odd "', or '" joins kept. */
  static String regexError(String message, String format, String... examples) {
    StringBuilder s = new StringBuilder(message).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      s.append(i > 0 ? " or " : "").append('\'').append(examples[i]).append("', ");
    }
    return s.append("regex used for validation is '").append(format).append("')").toString();
  }
}
