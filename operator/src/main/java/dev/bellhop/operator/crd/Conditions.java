package dev.bellhop.operator.crd;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Kubernetes-style conditions: the transition time moves only when the status does. */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String REGISTERED = "Registered";
  public static final String INVALID = "Invalid";

  private Conditions() {}

  public static List<Condition> set(
      List<Condition> current,
      String type,
      boolean status,
      String reason,
      String message,
      Long generation,
      Clock clock) {
    List<Condition> next = new ArrayList<>(current == null ? List.of() : current);
    String value = status ? "True" : "False";
    Optional<Condition> existing = find(next, type);
    String since =
        existing
            .filter(c -> value.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .orElseGet(() -> Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
    Condition condition =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    existing.ifPresentOrElse(c -> next.set(next.indexOf(c), condition), () -> next.add(condition));
    return next;
  }

  /** Sets one condition of {@code status} (see above). */
  public static void set(
      WithConditions status,
      String type,
      boolean value,
      String reason,
      String message,
      Long generation,
      Clock clock) {
    status.setConditions(
        set(status.getConditions(), type, value, reason, message, generation, clock));
  }

  /**
   * The conditions after validation: {@code Invalid=False}, or with problems {@code Invalid=True}
   * and {@code Ready=False}, both naming them. {@code newlyInvalid} hears the message only when the
   * spec was not already invalid: one Event for a bad spec, not one a reconcile.
   */
  public static List<Condition> validated(
      List<Condition> current,
      List<String> problems,
      Long generation,
      Clock clock,
      Consumer<String> newlyInvalid) {
    if (problems.isEmpty()) {
      return set(current, INVALID, false, "Valid", "The spec is valid", generation, clock);
    }
    String message = String.join("; ", problems);
    if (!isTrue(current, INVALID)) {
      newlyInvalid.accept(message);
    }
    List<Condition> next = set(current, INVALID, true, "InvalidSpec", message, generation, clock);
    return set(
        next, READY, false, "InvalidSpec", "The spec is invalid: " + message, generation, clock);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
