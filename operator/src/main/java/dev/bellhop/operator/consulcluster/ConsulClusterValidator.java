package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a ConsulCluster before anything is written (the API server may not enforce the CRD
 * schema). Every problem names its field.
 */
final class ConsulClusterValidator {
  /** A DNS-1035 label short enough for {@code <name>-server-N} pods and their controller-revision labels. */
  static final int MAX_NAME = 45;
  private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final Pattern DATACENTER = Pattern.compile("[a-z0-9]([-_a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern QUANTITY = Pattern.compile(
      "[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][-+]?[0-9]+)?");
  private static final Set<String> SERVICE_TYPES = Set.of("ClusterIP", "NodePort", "LoadBalancer");

  private ConsulClusterValidator() {}

  static List<String> validate(ConsulCluster cc) {
    List<String> problems = new ArrayList<>();
    String name = cc.getMetadata().getName();
    if (name.length() > MAX_NAME || !DNS_1035.matcher(name).matches()) {
      problems.add("metadata.name '" + name + "' must be a DNS label of at most " + MAX_NAME
          + " characters starting with a letter (it names the Services and the server pods)");
    }
    ConsulClusterSpec spec = cc.getSpec();
    if (spec == null) {
      return problems;
    }
    Integer servers = spec.getServers();
    if (servers != null && (servers < 1 || servers > 7 || servers % 2 == 0)) {
      problems.add("spec.servers must be odd and between 1 and 7 (a raft quorum), got " + servers);
    }
    if (spec.getImage() != null && (spec.getImage().isBlank() || spec.getImage().chars().anyMatch(Character::isWhitespace))) {
      problems.add("spec.image '" + spec.getImage() + "' is not a valid image reference");
    }
    if (spec.getDatacenter() != null && !DATACENTER.matcher(spec.getDatacenter()).matches()) {
      problems.add("spec.datacenter '" + spec.getDatacenter() + "' must be lower-case letters, digits, '-' and '_'");
    }
    var storage = spec.getStorage();
    if (storage != null) {
      if (storage.getSize() != null && !validSize(storage.getSize())) {
        problems.add("spec.storage.size '" + storage.getSize() + "' is not a positive Kubernetes quantity (e.g. 1Gi)");
      }
      if (storage.getStorageClassName() != null && !subdomain(storage.getStorageClassName())) {
        problems.add("spec.storage.storageClassName '" + storage.getStorageClassName() + "' is not a valid name");
      }
    }
    var gossip = spec.getGossipEncryption();
    if (gossip != null) {
      if (gossip.getSecretName() != null && !subdomain(gossip.getSecretName())) {
        problems.add("spec.gossipEncryption.secretName '" + gossip.getSecretName() + "' is not a valid Secret name");
      }
      if (gossip.getSecretKey() != null && (gossip.getSecretKey().length() > 253
          || !SECRET_KEY.matcher(gossip.getSecretKey()).matches())) {
        problems.add("spec.gossipEncryption.secretKey '" + gossip.getSecretKey() + "' is not a valid Secret key");
      }
    }
    var tls = spec.getTls();
    if (tls != null && Boolean.TRUE.equals(tls.getEnabled())) {
      if (tls.getSecretName() == null) {
        problems.add("spec.tls.secretName is required when spec.tls.enabled is true");
      } else if (!subdomain(tls.getSecretName())) {
        problems.add("spec.tls.secretName '" + tls.getSecretName() + "' is not a valid Secret name");
      }
    }
    var ui = spec.getUi();
    if (ui != null && ui.getServiceType() != null && !SERVICE_TYPES.contains(ui.getServiceType())) {
      problems.add("spec.ui.serviceType '" + ui.getServiceType() + "' must be one of ClusterIP, NodePort, LoadBalancer");
    }
    var rollout = spec.getRollout();
    if (rollout != null) {
      if (rollout.getPace() != null && ClusterSettings.duration(rollout.getPace()) == null) {
        problems.add("spec.rollout.pace '" + rollout.getPace() + "' is not a duration (e.g. 30s, 2m, 1m30s)");
      }
      if (rollout.getStallAfter() != null && ClusterSettings.duration(rollout.getStallAfter()) == null) {
        problems.add("spec.rollout.stallAfter '" + rollout.getStallAfter() + "' is not a duration (e.g. 5m)");
      }
    }
    return problems;
  }

  private static boolean subdomain(String s) {
    return s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
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
