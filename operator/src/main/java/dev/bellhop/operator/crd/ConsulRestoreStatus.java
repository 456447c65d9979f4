package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

public class ConsulRestoreStatus implements WithConditions {
  /** Waiting for the cluster (no leader, no token yet). */
  public static final String PENDING = "Pending";

  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  private Long observedGeneration;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed; the last two are final.")
  private String phase;

  @JsonPropertyDescription("What happened, or what is awaited.")
  private String message;

  @JsonPropertyDescription("When the restore Job was started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When it ended (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription("The SHA-256 of the snapshot restored, checked against its .sha256.")
  private String sha256;

  @JsonPropertyDescription("Ready (True once restored), Invalid.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsulRestoreStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(phase, s.phase)
        && Objects.equals(message, s.message)
        && Objects.equals(startTime, s.startTime)
        && Objects.equals(completionTime, s.completionTime)
        && Objects.equals(sha256, s.sha256)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration, phase, message, startTime, completionTime, sha256, conditions);
  }
}
