package dev.bellhop.operator.consulcluster;

import static dev.bellhop.operator.consulcluster.ClusterSettings.SERVER;

import dev.bellhop.operator.crd.Conditions;
import dev.bellhop.operator.crd.ConsulCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/**
 * Resolves {@code HotelService.spec.consul.cluster} to the named ConsulCluster's address, token and
 * CA. Thread-safe; every call reads the API server (a handful of GETs), so callers may cache.
 *
 * <p>A cluster resolves once it is valid, at least one server pod is Ready with a pod IP, and, with
 * ACLs, the operator's token exists in Consul (its Secret is marked active); with TLS, once its
 * Secret holds {@code ca.crt}. A cluster that is up but not fully Ready (e.g. during a rolling
 * update) still resolves: Bellhop only needs one server that answers.
 */
public final class ConsulEndpoints {
  private final KubernetesClient client;

  public ConsulEndpoints(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The endpoint, or empty when the cluster is missing or not ready ({@link #whyNotReady} tells
   * why).
   */
  public Optional<ConsulEndpoint> resolve(String namespace, String consulClusterName) {
    return Optional.ofNullable(check(namespace, consulClusterName).endpoint());
  }

  /**
   * Why {@link #resolve} is empty, in a sentence for a condition message; null when it resolves.
   */
  public String whyNotReady(String namespace, String name) {
    return check(namespace, name).problem();
  }

  private record Check(ConsulEndpoint endpoint, String problem) {
    static Check no(String problem) {
      return new Check(null, problem);
    }
  }

  private Check check(String namespace, String name) {
    String ref = "ConsulCluster " + namespace + "/" + name;
    ConsulCluster cc =
        client.resources(ConsulCluster.class).inNamespace(namespace).withName(name).get();
    if (cc == null) {
      return Check.no(ref + " does not exist");
    }
    if (cc.getStatus() != null
        && Conditions.isTrue(cc.getStatus().getConditions(), Conditions.INVALID)) {
      String message =
          Conditions.find(cc.getStatus().getConditions(), Conditions.INVALID)
              .orElseThrow()
              .getMessage();
      return Check.no(ref + " is invalid: " + message);
    }
    if (!ConsulClusterValidator.validate(cc).isEmpty()) {
      return Check.no(
          ref + " is invalid: " + String.join("; ", ConsulClusterValidator.validate(cc)));
    }
    ClusterSettings s = ClusterSettings.of(cc);
    var pods = ServerPods.list(client, s, SERVER);
    // Ready servers first, then the others that have an IP (starting, or briefly without a leader).
    List<String> addresses = pods.stream().map(ServerPods.ServerPod::url).toList();
    if (pods.stream().noneMatch(ServerPods.ServerPod::ready)) {
      return Check.no(ref + " has no ready server yet");
    }
    String token = null;
    if (s.acl()) {
      Secret secret =
          client.secrets().inNamespace(namespace).withName(s.operatorTokenSecret()).get();
      token = ConsulClusterResources.secretValue(secret, ConsulAcls.TOKEN);
      boolean active =
          secret != null
              && secret.getMetadata().getAnnotations() != null
              && "true".equals(secret.getMetadata().getAnnotations().get(ConsulAcls.ACTIVE));
      if (token == null || !active) {
        return Check.no(ref + " has ACLs enabled and its operator token is not created yet");
      }
    }
    String ca = null;
    if (s.tls()) {
      ca =
          ConsulClusterResources.secretValue(
              client.secrets().inNamespace(namespace).withName(s.tlsSecret()).get(), "ca.crt");
      if (ca == null) {
        return Check.no(ref + " has TLS enabled but Secret " + s.tlsSecret() + " holds no ca.crt");
      }
    }
    return new Check(new ConsulEndpoint(addresses, token, ca), null);
  }
}
