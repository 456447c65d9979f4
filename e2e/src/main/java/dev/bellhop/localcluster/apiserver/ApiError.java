package dev.bellhop.localcluster.apiserver;

import java.util.List;

/**
 * A request refused by a stage of the chain, answered as kube-apiserver answers it: a {@code
 * Status} object with this code, reason and message, and for {@code Invalid} the field causes
 * ({@code kubectl} prints them as {@code spec.replicas: Invalid value: ...}).
 */
public final class ApiError extends RuntimeException {
  /**
   * One field error: reason as kube's field.ErrorType ("FieldValueInvalid", "FieldValueRequired",
   * ...).
   */
  public record Cause(String reason, String field, String message) {}

  private final int code;
  private final String reason;
  private final String kind;
  private final String name;
  private final String group;
  private final List<Cause> causes;

  public ApiError(
      int code,
      String reason,
      String message,
      String group,
      String kind,
      String name,
      List<Cause> causes) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.group = group;
    this.kind = kind;
    this.name = name;
    this.causes = List.copyOf(causes);
  }

  public static ApiError unauthorized() {
    return new ApiError(401, "Unauthorized", "Unauthorized", null, null, null, List.of());
  }

  /** The message kube-apiserver's RBAC authorizer gives. */
  public static ApiError forbidden(UserInfo user, RequestInfo info, String why) {
    String what;
    if (!info.resourceRequest()) {
      what = "cannot " + info.verb() + " path \"" + info.path() + "\"";
    } else {
      String resource =
          info.subresource() == null ? info.resource() : info.resource() + "/" + info.subresource();
      String kindName = info.name() == null ? resource : resource + " \"" + info.name() + "\"";
      what =
          kindName
              + " is forbidden: User \""
              + user.name()
              + "\" cannot "
              + info.verb()
              + " resource \""
              + resource
              + "\" in API group \""
              + info.apiGroup()
              + "\""
              + (info.namespace() == null
                  ? " at the cluster scope"
                  : " in the namespace \"" + info.namespace() + "\"");
    }
    return new ApiError(
        403,
        "Forbidden",
        what + (why == null || why.isEmpty() ? "" : ": " + why),
        info.apiGroup(),
        info.resource(),
        info.name(),
        List.of());
  }

  /** 422: {@code <Kind>.<group> "<name>" is invalid: <causes>}, as kube builds it. */
  public static ApiError invalid(String group, String kind, String name, List<Cause> causes) {
    StringBuilder message =
        new StringBuilder(
            kind
                + (group == null || group.isEmpty() ? "" : "." + group)
                + " \""
                + name
                + "\" is invalid: ");
    if (causes.size() > 1) {
      message.append('[');
    }
    for (int i = 0; i < causes.size(); i++) {
      message
          .append(i > 0 ? ", " : "")
          .append(causes.get(i).field())
          .append(": ")
          .append(causes.get(i).message());
    }
    if (causes.size() > 1) {
      message.append(']');
    }
    return new ApiError(422, "Invalid", message.toString(), group, kind, name, causes);
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public String group() {
    return group;
  }

  public String kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  public List<Cause> causes() {
    return causes;
  }
}
