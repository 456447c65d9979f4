package dev.bellhop.localcluster;

/**
 * What {@code make demo} prints once the system is ready: commands a user can paste as they are,
 * from the repository's root, with the project's kubectl and Helm ({@code make tools}). The
 * kubeconfig's context namespace is {@code bellhop}, so no command needs {@code -n}. The end-to-end
 * tests run these same commands.
 */
public final class Tour {
  /** The tour's {@code helm upgrade}: the chart's value for geo's replica count. */
  public static final String SCALE_GEO = "services.geo.replicas=3";

  private Tour() {}

  public static String text(String kubeconfig, String gateway) {
    String json = "-H 'Content-Type: application/json'";
    return String.join(
        "\n",
        "  Try it (from the repository's root, in another terminal):",
        "    export KUBECONFIG=$PWD/" + kubeconfig + " PATH=$PWD/.tools/bin:$PATH",
        "    kubectl get pods,hs,cc",
        "    kubectl describe hs geo",
        "    kubectl logs deploy/hotel",
        "    helm list",
        "    helm upgrade bellhop helm/bellhop --reuse-values --set " + SCALE_GEO,
        "    kubectl get hs geo",
        "    TOKEN=$(curl -s "
            + json
            + " -d '{\"username\":\"demo\",\"password\":\"bellhop-demo\"}' "
            + gateway
            + "/auth/login | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/')",
        "    curl -s "
            + json
            + " -H \"Authorization: Bearer $TOKEN\" -d '{\"inDate\":\"2026-12-01\","
            + "\"outDate\":\"2026-12-03\",\"lat\":37.7867,\"lon\":-122.4112}' "
            + gateway
            + "/hotel/rates",
        "  Consul UI: https://127.0.0.11:8501/ui (the CA: kubectl get secret consul-tls)",
        "  Ctrl-C stops everything.");
  }
}
