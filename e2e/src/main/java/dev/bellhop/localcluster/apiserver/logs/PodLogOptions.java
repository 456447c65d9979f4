package dev.bellhop.localcluster.apiserver.logs;

import dev.bellhop.localcluster.apiserver.ApiError;
import dev.bellhop.localcluster.apiserver.RequestInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The query of {@code GET .../pods/<name>/log} (kube's PodLogOptions), checked as kube-apiserver
 * checks it: a negative tailLines or limitBytes, a sinceSeconds below 1, or both since forms are
 * 422.
 *
 * @param container null: the pod's only container
 * @param tailLines null: every line
 * @param since null: from the start
 * @param limitBytes null: no limit
 */
public record PodLogOptions(
    String container,
    boolean follow,
    boolean previous,
    Long tailLines,
    Instant since,
    boolean timestamps,
    Long limitBytes) {

  public static PodLogOptions parse(RequestInfo info, Instant now) {
    List<ApiError.Cause> causes = new ArrayList<>();
    Long tailLines = number(info, "tailLines", causes);
    Long sinceSeconds = number(info, "sinceSeconds", causes);
    Long limitBytes = number(info, "limitBytes", causes);
    Instant sinceTime = null;
    if (info.param("sinceTime").isPresent()) {
      try {
        sinceTime = Instant.parse(info.param("sinceTime").get());
      } catch (DateTimeParseException e) {
        causes.add(
            invalid(
                "sinceTime",
                "\"" + info.param("sinceTime").get() + "\"",
                "must be an RFC3339 time"));
      }
    }
    if (tailLines != null && tailLines < 0) {
      causes.add(invalid("tailLines", tailLines, "must be greater than or equal to 0"));
    }
    if (limitBytes != null && limitBytes < 1) {
      causes.add(invalid("limitBytes", limitBytes, "must be greater than 0"));
    }
    if (sinceSeconds != null && sinceSeconds < 1) {
      causes.add(invalid("sinceSeconds", sinceSeconds, "must be greater than 0"));
    }
    if (sinceSeconds != null && sinceTime != null) {
      causes.add(
          new ApiError.Cause(
              "FieldValueForbidden",
              "",
              "Forbidden: at most one of `sinceTime` or " + "`sinceSeconds` may be specified"));
    }
    if (!causes.isEmpty()) {
      throw ApiError.invalid("", "PodLogOptions", info.name(), causes);
    }
    Instant since = sinceSeconds != null ? now.minusSeconds(sinceSeconds) : sinceTime;
    return new PodLogOptions(
        info.param("container").filter(c -> !c.isEmpty()).orElse(null),
        flag(info, "follow"),
        flag(info, "previous"),
        tailLines,
        since,
        flag(info, "timestamps"),
        limitBytes);
  }

  /** kube's field.Invalid: {@code value} as it prints (strings quoted). */
  private static ApiError.Cause invalid(String field, Object value, String detail) {
    return new ApiError.Cause(
        "FieldValueInvalid", field, "Invalid value: " + value + ": " + detail);
  }

  private static boolean flag(RequestInfo info, String name) {
    return info.param(name).map(v -> v.equals("true") || v.equals("1")).orElse(false);
  }

  private static Long number(RequestInfo info, String name, List<ApiError.Cause> causes) {
    if (info.param(name).isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(info.param(name).get());
    } catch (NumberFormatException e) {
      causes.add(invalid(name, "\"" + info.param(name).get() + "\"", "must be an integer"));
      return null;
    }
  }
}
