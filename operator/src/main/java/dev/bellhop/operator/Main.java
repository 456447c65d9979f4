package dev.bellhop.operator;

import dev.bellhop.operator.snapshot.SnapshotCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && "snapshot".equals(args[0])) {
      System.exit(SnapshotCommand.run(args)); // a snapshot or restore Job: no Kubernetes client
    }
    if (args.length > 0 && "uninstall".equals(args[0])) {
      int code;
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        code = Uninstall.run(client, args);
      }
      System.exit(code);
    }
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    BellhopOperator operator = BellhopOperator.start(client, config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  client.close();
                },
                "shutdown"));
    LOG.atInfo()
        .addKeyValue("consul", config.consulAddress())
        .addKeyValue("cluster", config.clusterId())
        .addKeyValue("http", operator.httpPort())
        .log("bellhop operator started");
  }
}
