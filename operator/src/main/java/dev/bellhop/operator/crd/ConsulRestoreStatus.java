package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import lombok.EqualsAndHashCode;
import lombok.Getter;
import lombok.Setter;

@Getter
@Setter
@EqualsAndHashCode
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
}
