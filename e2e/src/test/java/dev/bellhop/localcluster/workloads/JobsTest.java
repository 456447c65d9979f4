package dev.bellhop.localcluster.workloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Job controller as a Helm hook needs it: one pod at a time, a new one per failure up to the
 * backoff limit, and the condition Helm waits for. The kubelet's part (the pod's phase) is written
 * here by hand.
 */
@EnableKubernetesMockClient(crud = true)
class JobsTest {
  KubernetesClient client;
  WorkloadController controller;

  @BeforeEach
  void start() {
    controller = new WorkloadController(client, List.of("node-a", "node-b"), "test/kubelet");
  }

  @Test
  void runsOnePodToCompletion() {
    job("uninstall", 1);
    controller.sync();
    controller.sync();
    List<Pod> pods = pods();
    assertThat(pods).hasSize(1);
    Pod pod = pods.get(0);
    assertThat(pod.getMetadata().getName()).startsWith("uninstall-");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("batch.kubernetes.io/job-name", "uninstall")
        .containsEntry("app", "hook");
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Job");
    assertThat(pod.getSpec().getNodeName()).isNotNull();
    assertThat(status().getActive()).isEqualTo(1);
    assertThat(conditions()).isEmpty();

    finish(pod, "Succeeded");
    controller.sync();
    assertThat(status().getSucceeded()).isEqualTo(1);
    assertThat(status().getCompletionTime()).isNotNull();
    assertThat(conditions()).containsExactly("SuccessCriteriaMet", "Complete");
    controller.sync();
    assertThat(pods()).as("no pod after completion").hasSize(1);
  }

  @Test
  void retriesUpToTheBackoffLimitThenFails() {
    job("flaky", 1);
    controller.sync();
    finish(pods().get(0), "Failed");
    controller.sync();
    assertThat(pods()).as("a second try").hasSize(2);
    assertThat(status().getFailed()).isEqualTo(1);
    assertThat(conditions()).isEmpty();

    pods().stream()
        .filter(p -> !"Failed".equals(p.getStatus().getPhase()))
        .forEach(p -> finish(p, "Failed"));
    controller.sync();
    assertThat(status().getFailed()).isEqualTo(2);
    assertThat(conditions()).containsExactly("FailureTarget", "Failed");
    assertThat(status().getConditions())
        .extracting(JobCondition::getReason)
        .containsOnly("BackoffLimitExceeded");
    controller.sync();
    assertThat(pods()).hasSize(2);
  }

  private void job(String name, int backoffLimit) {
    client
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("test")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(backoffLimit)
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "hook")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("hook")
                .withImage("bellhop/operator")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  private void finish(Pod pod, String phase) {
    client
        .pods()
        .resource(pod)
        .editStatus(
            p -> {
              p.getStatus().setPhase(phase);
              return p;
            });
  }

  private List<Pod> pods() {
    return client.pods().inNamespace("test").list().getItems();
  }

  private io.fabric8.kubernetes.api.model.batch.v1.JobStatus status() {
    Job job = client.batch().v1().jobs().inNamespace("test").list().getItems().get(0);
    return job.getStatus();
  }

  private List<String> conditions() {
    var status = status();
    return status == null || status.getConditions() == null
        ? List.of()
        : status.getConditions().stream().map(JobCondition::getType).toList();
  }
}
