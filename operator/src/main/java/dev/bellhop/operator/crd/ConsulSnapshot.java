package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.EqualsAndHashCode;
import lombok.Getter;
import lombok.Setter;

/**
 * One Consul snapshot as the snapshot Job reports it (its termination message) and status lists it;
 * a ConsulRestore names one by {@code file}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
@EqualsAndHashCode
public class ConsulSnapshot {
  @JsonPropertyDescription("File name in the backup claim (<cluster>-<time>.snap).")
  private String file;

  @JsonPropertyDescription("When Consul handed the snapshot over (RFC 3339).")
  private String time;

  @JsonPropertyDescription("Size in bytes.")
  private Long bytes;

  @JsonPropertyDescription("SHA-256 of the file (hex), also in <file>.sha256 beside it.")
  private String sha256;

  @JsonPropertyDescription("The raft index the snapshot holds (X-Consul-Index).")
  private Long index;
}
