package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import dev.bellhop.operator.crd.FieldRules;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a ConsulCluster before anything is written. The CRD's schema holds the same rules ({@link
 * FieldRules}, one home); this catches an object stored before the CRD was tightened, or an API
 * server that enforces no schema. Every problem names its field.
 */
final class ConsulClusterValidator {
  /**
   * A DNS-1035 label short enough for {@code <name>-server-N} pods and their controller-revision
   * labels.
   */
  static final int MAX_NAME = FieldRules.CONSUL_CLUSTER_NAME_MAX;

  private static final Pattern DNS_1035 = Pattern.compile(FieldRules.DNS1035_LABEL);
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(FieldRules.DNS1123_SUBDOMAIN);
  private static final Pattern SECRET_KEY = Pattern.compile(FieldRules.SECRET_KEY);
  private static final Pattern DATACENTER = Pattern.compile(FieldRules.DATACENTER);
  private static final Pattern QUANTITY = Pattern.compile(FieldRules.QUANTITY);
  private static final Pattern IMAGE = Pattern.compile(FieldRules.IMAGE);
  private static final Set<String> SERVICE_TYPES =
      Arrays.stream(ConsulClusterSpec.ServiceType.values())
          .map(Enum::name)
          .collect(Collectors.toSet());

  private ConsulClusterValidator() {}

  static List<String> validate(ConsulCluster cc) {
    List<String> problems = new ArrayList<>();
    String name = cc.getMetadata().getName();
    if (name.length() > MAX_NAME || !DNS_1035.matcher(name).matches()) {
      problems.add(FieldRules.CLUSTER_NAME_MESSAGE + ", got '" + name + "'");
    }
    ConsulClusterSpec spec = cc.getSpec();
    if (spec == null) {
      return problems;
    }
    Integer servers = spec.getServers();
    if (servers != null
        && (servers < FieldRules.SERVERS_MIN
            || servers > FieldRules.SERVERS_MAX
            || servers % 2 == 0)) {
      problems.add("spec.servers must be odd and between 1 and 7 (a raft quorum), got " + servers);
    }
    if (spec.getImage() != null && !IMAGE.matcher(spec.getImage()).matches()) {
      problems.add("spec.image '" + spec.getImage() + "' is not a valid image reference");
    }
    if (spec.getDatacenter() != null && !DATACENTER.matcher(spec.getDatacenter()).matches()) {
      problems.add(
          "spec.datacenter '"
              + spec.getDatacenter()
              + "' must be lower-case letters, digits, '-' and '_'");
    }
    if (spec.getBackup() != null) {
      String schedule = BackupSettings.scheduleProblem(spec.getBackup().getSchedule());
      if (schedule != null) {
        problems.add(schedule);
      }
      Integer retain = spec.getBackup().getRetain();
      if (retain != null && (retain < FieldRules.RETAIN_MIN || retain > FieldRules.RETAIN_MAX)) {
        problems.add(
            "spec.backup.retain must be between "
                + FieldRules.RETAIN_MIN
                + " and "
                + FieldRules.RETAIN_MAX
                + ", got "
                + retain);
      }
      if (spec.getBackup().getClaim() == null || spec.getBackup().getClaim().isBlank()) {
        problems.add("spec.backup.claim is required: the PersistentVolumeClaim snapshots go to");
      }
    }
    var storage = spec.getStorage();
    if (storage != null) {
      if (storage.getSize() != null && !validSize(storage.getSize())) {
        problems.add(
            "spec.storage.size '"
                + storage.getSize()
                + "' is not a positive Kubernetes quantity (e.g. 1Gi)");
      }
      if (storage.getStorageClassName() != null && !subdomain(storage.getStorageClassName())) {
        problems.add(
            "spec.storage.storageClassName '"
                + storage.getStorageClassName()
                + "' is not a valid name");
      }
    }
    var gossip = spec.getGossipEncryption();
    if (gossip != null) {
      if (gossip.getSecretName() != null && !subdomain(gossip.getSecretName())) {
        problems.add(
            "spec.gossipEncryption.secretName '"
                + gossip.getSecretName()
                + "' is not a valid Secret name");
      }
      if (gossip.getSecretKey() != null
          && (gossip.getSecretKey().length() > FieldRules.SECRET_KEY_MAX
              || !SECRET_KEY.matcher(gossip.getSecretKey()).matches())) {
        problems.add(
            "spec.gossipEncryption.secretKey '"
                + gossip.getSecretKey()
                + "' is not a valid Secret key");
      }
    }
    var tls = spec.getTls();
    if (tls != null && tls.getSecretName() != null && !subdomain(tls.getSecretName())) {
      problems.add("spec.tls.secretName '" + tls.getSecretName() + "' is not a valid Secret name");
    }
    var ui = spec.getUi();
    if (ui != null && ui.getServiceType() != null && !SERVICE_TYPES.contains(ui.getServiceType())) {
      problems.add(
          "spec.ui.serviceType '"
              + ui.getServiceType()
              + "' must be one of ClusterIP, NodePort, LoadBalancer");
    }
    var rollout = spec.getRollout();
    if (rollout != null) {
      if (rollout.getPace() != null && ClusterSettings.duration(rollout.getPace()) == null) {
        problems.add(
            "spec.rollout.pace '"
                + rollout.getPace()
                + "' is not a duration (e.g. 30s, 2m, 1m30s)");
      }
      if (rollout.getStallAfter() != null
          && ClusterSettings.duration(rollout.getStallAfter()) == null) {
        problems.add(
            "spec.rollout.stallAfter '"
                + rollout.getStallAfter()
                + "' is not a duration (e.g. 5m)");
      }
    }
    return problems;
  }

  private static boolean subdomain(String s) {
    return s.length() <= FieldRules.DNS1123_SUBDOMAIN_MAX && DNS_SUBDOMAIN.matcher(s).matches();
  }

  private static boolean validSize(String size) {
    if (!QUANTITY.matcher(size).matches()) {
      return false;
    }
    try {
      return Quantity.getAmountInBytes(new Quantity(size)).compareTo(BigDecimal.ZERO) > 0;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
