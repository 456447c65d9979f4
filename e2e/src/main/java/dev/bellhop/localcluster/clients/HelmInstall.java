package dev.bellhop.localcluster.clients;

import java.util.ArrayList;
import java.util.List;

/**
 * How the local cluster installs Bellhop, as a user of the chart does: the CRDs with {@code kubectl
 * apply -f crds/} (client-side validation on, so the server's fieldValidation is what checks them),
 * then {@code helm install} of {@code helm/bellhop} with the chart's defaults. The chart's defaults
 * need no change here: the local cluster runs the images' jars, ignores the Ingress host, binds
 * PVCs without a StorageClass and has nodes for Consul's anti-affinity. The namespace is created
 * first and labelled for Pod Security {@code restricted}, as a cluster admin would: everything the
 * chart runs (operator, gateway, hotel pods, Consul servers and agents) passes it, and the API
 * server's PodSecurity admission refuses any pod that does not.
 */
public final class HelmInstall {
  public static final String RELEASE = "bellhop";
  public static final String NAMESPACE = "bellhop";
  public static final String CHART = "helm/bellhop";

  private HelmInstall() {}

  public static List<String> crdsCommand() {
    return List.of("apply", "-f", "crds/");
  }

  /** The release namespace, enforcing Pod Security {@code restricted}. */
  public static List<List<String>> namespaceCommands() {
    return List.of(
        List.of("create", "namespace", NAMESPACE),
        List.of("label", "namespace", NAMESPACE, "pod-security.kubernetes.io/enforce=restricted"));
  }

  public static List<String> installCommand(String... values) {
    List<String> args =
        new ArrayList<>(List.of("install", RELEASE, CHART, "-n", NAMESPACE, "--create-namespace"));
    for (String v : values) {
      args.add("--set");
      args.add(v);
    }
    return args;
  }

  /** Runs both; returns what they printed. Fails with the client's own message. */
  public static String install(Clients clients, String... values) {
    String crds = clients.kubectl(crdsCommand().toArray(String[]::new)).orThrow();
    for (List<String> command : namespaceCommands()) {
      crds += clients.kubectl(command.toArray(String[]::new)).orThrow();
    }
    String helm = clients.helm(installCommand(values).toArray(String[]::new)).orThrow();
    return crds + helm;
  }
}
