package dev.bellhop.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Consul cluster (servers in a StatefulSet, optional client agents) that Bellhop provisions. */
@Group("bellhop.dev")
@Version("v1alpha1")
@ShortNames("cc")
@AdditionalPrinterColumn(
    name = "Servers",
    jsonPath = ".status.servers",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.readyServers",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Leader",
    jsonPath = ".status.leader",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = FieldRules.CLUSTER_NAME, message = FieldRules.CLUSTER_NAME_MESSAGE)
public class ConsulCluster extends CustomResource<ConsulClusterSpec, ConsulClusterStatus>
    implements Namespaced {}
