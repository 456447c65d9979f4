package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;
import lombok.Getter;
import lombok.Setter;

/**
 * One Consul snapshot as the snapshot Job reports it (its termination message) and status lists it;
 * a ConsulRestore names one by {@code file}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
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

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsulSnapshot x
        && Objects.equals(file, x.file)
        && Objects.equals(time, x.time)
        && Objects.equals(bytes, x.bytes)
        && Objects.equals(sha256, x.sha256)
        && Objects.equals(index, x.index);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, time, bytes, sha256, index);
  }
}
