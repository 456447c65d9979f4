package dev.bellhop.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Restores one snapshot of {@code spec.backup} into a ConsulCluster, once: a record of what was
 * restored and how it went, as a Job is of what ran. Its spec cannot change; restoring again is a
 * new ConsulRestore.
 */
@Group("bellhop.dev")
@Version("v1alpha1")
@ShortNames("crs")
@AdditionalPrinterColumn(
    name = "Cluster",
    jsonPath = ".spec.cluster",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Snapshot",
    jsonPath = ".spec.snapshot",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = FieldRules.RESTORE_NAME, message = FieldRules.RESTORE_NAME_MESSAGE)
public class ConsulRestore extends CustomResource<ConsulRestoreSpec, ConsulRestoreStatus>
    implements Namespaced {}
