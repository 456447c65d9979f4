package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.ArrayList;
import java.util.List;

/**
 * The Deployment that runs a HotelService's image (only when {@code spec.image} is set). A standalone
 * dependent: {@link HotelServiceReconciler} configures it and reconciles it explicitly.
 */
public class DeploymentDependentResource extends CRUDKubernetesDependentResource<Deployment, HotelService> {

  public DeploymentDependentResource() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(HotelService hs, Context<HotelService> context) {
    var spec = hs.getSpec();
    int port = spec.getPort();
    List<EnvVar> env = new ArrayList<>();
    // The services honour PORT; the user's env wins where it sets the same name.
    if (spec.getEnv() == null || spec.getEnv().stream().noneMatch(e -> "PORT".equals(e.getName()))) {
      env.add(new EnvVar("PORT", String.valueOf(port), null));
    }
    if (spec.getEnv() != null) {
      env.addAll(spec.getEnv());
    }
    return new DeploymentBuilder()
        .withNewMetadata()
            .withName(hs.getMetadata().getName())
            .withNamespace(hs.getMetadata().getNamespace())
            .withLabels(Labels.all(hs))
        .endMetadata()
        .withNewSpec()
            .withReplicas(spec.getReplicas() == null ? 1 : spec.getReplicas())
            .withNewSelector().withMatchLabels(Labels.podSelector(hs)).endSelector()
            .withNewTemplate()
                .withNewMetadata().withLabels(Labels.all(hs)).endMetadata()
                .withNewSpec()
                    .addNewContainer()
                        .withName(hs.getMetadata().getName())
                        .withImage(spec.getImage())
                        .addNewPort().withName("http").withContainerPort(port).withProtocol("TCP").endPort()
                        .withEnv(env)
                        .withReadinessProbe(probe("/health/ready", port))
                        .withLivenessProbe(probe("/health/live", port))
                    .endContainer()
                .endSpec()
            .endTemplate()
        .endSpec()
        .build();
  }

  private static Probe probe(String path, int port) {
    return new ProbeBuilder()
        .withHttpGet(new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(port)).build())
        .withPeriodSeconds(5)
        .build();
  }
}
