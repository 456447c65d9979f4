package dev.bellhop.operator.consulcluster;

import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The Secrets the server and agent pods need before they can start: the gossip key and, with TLS,
 * the certificates. The generated gossip Secret is read from its dependent's informer cache; a
 * Secret the user names is read from the API server: caching every Secret of a namespace would cost
 * memory and list/watch on all Secrets for one or two reads per reconcile.
 *
 * @param problems what is missing or wrong, one sentence each; empty when the pods can start
 * @param caPem the cluster's CA (PEM) with TLS, else null
 * @param tlsHash a hash of the certificates the pods mount ("" without TLS): part of the pod
 *     templates, so that a renewed certificate rolls the pods onto it
 */
record PodSecrets(List<String> problems, String caPem, String tlsHash) {
  private static final String TLS_HASH = "tls-hash";

  static PodSecrets check(ConsulCluster cc, Context<ConsulCluster> context) {
    ClusterSettings s = ClusterSettings.of(cc);
    List<String> problems = new ArrayList<>();
    if (s.gossip()) {
      String problem = gossipProblem(s, gossipSecret(s, context));
      if (problem != null) {
        problems.add(problem);
      }
    }
    String caPem = null;
    String tlsHash = "";
    if (s.tls()) {
      Secret tls =
          s.tlsGenerated() ? cached(context, s.tlsSecret()) : read(context, s, s.tlsSecret());
      StringBuilder certificates = new StringBuilder();
      for (String key : ConsulClusterResources.tlsKeys(s)) {
        String value = ConsulClusterResources.secretValue(tls, key);
        if (value == null) {
          problems.add(
              tls == null
                  ? "TLS Secret " + s.tlsSecret() + " not found"
                  : "TLS Secret " + s.tlsSecret() + " has no " + key);
          break;
        }
        certificates.append(key.endsWith(".key") ? "" : value);
      }
      caPem = ConsulClusterResources.secretValue(tls, "ca.crt");
      tlsHash = ConsulClusterResources.hash(certificates.toString());
    }
    return new PodSecrets(List.copyOf(problems), caPem, tlsHash);
  }

  /**
   * {@link #tlsHash} of this reconcile, read once: the servers' and the agents' dependents (build
   * and match) each need it, and a Secret the user names is a GET. First asked after the TLS
   * Secret's dependent has run (theirs depend on it), so it sees certificates renewed just now.
   */
  static String tlsHash(Context<ConsulCluster> context) {
    var shared = context.managedWorkflowAndDependentResourceContext();
    return shared
        .get(TLS_HASH, String.class)
        .orElseGet(
            () -> {
              String hash = check(context.getPrimaryResource(), context).tlsHash();
              shared.put(TLS_HASH, hash);
              return hash;
            });
  }

  /**
   * The gossip key when gossip is encrypted and its Secret holds a valid one, else null; reads only
   * that Secret (the TLS Secret is not needed for it).
   */
  static String gossipKey(ClusterSettings s, Context<ConsulCluster> context) {
    if (!s.gossip()) {
      return null;
    }
    Secret gossip = gossipSecret(s, context);
    return gossipProblem(s, gossip) != null
        ? null
        : ConsulClusterResources.secretValue(gossip, s.gossipKey()).trim();
  }

  /** The generated key's Secret from its dependent's cache; a user's, from the API server. */
  private static Secret gossipSecret(ClusterSettings s, Context<ConsulCluster> context) {
    return s.gossipGenerated()
        ? cached(context, s.gossipSecret())
        : read(context, s, s.gossipSecret());
  }

  /** A Secret Bellhop generates, from its dependent's informer cache; null if not there yet. */
  static Secret cached(Context<ConsulCluster> context, String name) {
    return context
        .getSecondaryResourcesAsStream(Secret.class)
        .filter(secret -> name.equals(secret.getMetadata().getName()))
        .findFirst()
        .orElse(null);
  }

  boolean complete() {
    return problems.isEmpty();
  }

  private static Secret read(Context<ConsulCluster> context, ClusterSettings s, String name) {
    return context.getClient().secrets().inNamespace(s.namespace()).withName(name).get();
  }

  private static String gossipProblem(ClusterSettings s, Secret secret) {
    if (secret == null) {
      return "gossip Secret " + s.gossipSecret() + " not found";
    }
    String key = ConsulClusterResources.secretValue(secret, s.gossipKey());
    if (key == null) {
      return "gossip Secret " + s.gossipSecret() + " has no key '" + s.gossipKey() + "'";
    }
    try {
      int length = Base64.getDecoder().decode(key.trim()).length;
      if (length != 16 && length != 24 && length != 32) {
        return "gossip Secret "
            + s.gossipSecret()
            + " key '"
            + s.gossipKey()
            + "' must be 16, 24 or 32 bytes in base64, got "
            + length;
      }
    } catch (IllegalArgumentException e) {
      return "gossip Secret " + s.gossipSecret() + " key '" + s.gossipKey() + "' is not base64";
    }
    return null;
  }
}
