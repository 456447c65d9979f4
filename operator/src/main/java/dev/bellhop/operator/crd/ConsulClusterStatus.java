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
public class ConsulClusterStatus implements WithConditions {

  private Long observedGeneration;

  @JsonPropertyDescription("Servers wanted (spec.servers with its default).")
  private Integer servers;

  @JsonPropertyDescription("Ready server pods, from the StatefulSet.")
  private Integer readyServers;

  @JsonPropertyDescription("The raft leader (ip:port) as Consul reports it; empty when unknown.")
  private String leader;

  @JsonPropertyDescription("The raft peers (ip:port) as Consul reports them.")
  private List<String> peers;

  @JsonPropertyDescription("Ready, Invalid (with reason and message).")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Server pods running the StatefulSet's current revision.")
  private Integer updatedServers;

  @JsonPropertyDescription(
      "The server Bellhop restarted last in a rollout (pod name); empty when no rollout runs.")
  private String rolloutServer;

  @JsonPropertyDescription("When that server was restarted (RFC 3339).")
  private String rolloutStartedAt;

  @JsonPropertyDescription(
      "The scheduled time of the last snapshot Job Bellhop started (RFC 3339); spec.backup.")
  private String lastScheduleTime;

  @JsonPropertyDescription("The snapshots in the backup claim, newest first (spec.backup.retain).")
  private List<ConsulSnapshot> snapshots;
}
