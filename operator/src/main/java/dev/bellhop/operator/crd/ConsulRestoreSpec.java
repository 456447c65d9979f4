package dev.bellhop.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Getter;
import lombok.Setter;

/** {@code ConsulRestore.spec}: which snapshot goes into which cluster. */
@ValidationRule(value = "self == oldSelf", message = FieldRules.RESTORE_IMMUTABLE_MESSAGE)
@Getter
@Setter
public class ConsulRestoreSpec {
  @JsonPropertyDescription("The ConsulCluster, in this namespace, to restore into.")
  @Required
  @Pattern(FieldRules.DNS1123_LABEL)
  private String cluster;

  @JsonPropertyDescription(
      "The snapshot file, as the cluster's status.snapshots lists it (<cluster>-<time>.snap); its "
          + "<file>.sha256 is checked first.")
  @Required
  @Pattern(FieldRules.SNAPSHOT_FILE)
  @Size(max = FieldRules.DNS1123_SUBDOMAIN_MAX)
  private String snapshot;

  @JsonPropertyDescription(
      "The PersistentVolumeClaim holding it. Default: the cluster's spec.backup.claim.")
  @Pattern(FieldRules.DNS1123_SUBDOMAIN)
  @Size(max = FieldRules.DNS1123_SUBDOMAIN_MAX)
  private String claim;
}
