package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One Consul snapshot as the snapshot Job reports it (its termination message) and status lists it;
 * a ConsulRestore names one by {@code file}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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

  public String getFile() {
    return file;
  }

  public void setFile(String file) {
    this.file = file;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public Long getBytes() {
    return bytes;
  }

  public void setBytes(Long bytes) {
    this.bytes = bytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public Long getIndex() {
    return index;
  }

  public void setIndex(Long index) {
    this.index = index;
  }

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
