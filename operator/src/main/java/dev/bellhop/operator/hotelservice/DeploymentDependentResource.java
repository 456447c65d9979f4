package dev.bellhop.operator.hotelservice;

import dev.bellhop.operator.crd.HotelService;
import dev.bellhop.operator.podsecurity.Hardening;
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
 * The Deployment that runs a HotelService's image (only when {@code spec.image} is set). A
 * standalone dependent: {@link HotelServiceReconciler} configures it and reconciles it explicitly.
 */
public class DeploymentDependentResource
    extends CRUDKubernetesDependentResource<Deployment, HotelService> {
  static final long PRE_STOP_SECONDS = 2;

  public DeploymentDependentResource() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(HotelService hs, Context<HotelService> context) {
    var spec = hs.getSpec();
    int port = spec.getPort();
    List<EnvVar> env = new ArrayList<>();
    // The services honour PORT; the user's env wins where it sets the same name.
    if (spec.getEnv() == null
        || spec.getEnv().stream().noneMatch(e -> "PORT".equals(e.getName()))) {
      env.add(new EnvVar("PORT", String.valueOf(port), null));
    }
    if (spec.getEnv() != null) {
      env.addAll(spec.getEnv());
    }
    return new DeploymentBuilder()
        .withMetadata(Labels.meta(hs))
        .withNewSpec()
        .withReplicas(spec.replicasOrDefault())
        .withNewSelector()
        .withMatchLabels(Labels.podSelector(hs))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Labels.all(hs))
        .endMetadata()
        .withNewSpec()
        // The hotel services never call the Kubernetes API: no token in their pods.
        .withAutomountServiceAccountToken(false)
        .withSecurityContext(
            spec.getPodSecurityContext() != null
                ? spec.getPodSecurityContext()
                : Hardening.podSecurityContext())
        .addNewVolume()
        .withName(Hardening.TMP_VOLUME)
        .withEmptyDir(Hardening.tmpDir())
        .endVolume()
        .addNewContainer()
        .withName(hs.getMetadata().getName())
        .withImage(spec.getImage())
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .withProtocol("TCP")
        .endPort()
        .withEnv(env)
        .withSecurityContext(
            spec.getSecurityContext() != null
                ? spec.getSecurityContext()
                : Hardening.containerSecurityContext())
        .withResources(spec.getResources() != null ? spec.getResources() : Hardening.resources())
        .addNewVolumeMount()
        .withName(Hardening.TMP_VOLUME)
        .withMountPath("/tmp")
        .endVolumeMount()
        // Liveness only once started: a slow start (data loading on a busy node) is not a hang.
        .withStartupProbe(probe("/health/live", port, 2, 60))
        .withReadinessProbe(probe("/health/ready", port, 2, 3))
        .withLivenessProbe(probe("/health/live", port, 5, 3))
        // Bellhop deregisters the pod when its deletion starts; the pause lets the
        // gateway and DNS clients see that before the process stops accepting.
        .withNewLifecycle()
        .withNewPreStop()
        .withNewSleep(PRE_STOP_SECONDS)
        .endPreStop()
        .endLifecycle()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Probe probe(String path, int port, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withHttpGet(
            new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(port)).build())
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .build();
  }
}
