package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.testkit.consul.TestConsulCluster;
import dev.bellhop.testkit.consul.TestConsulNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerRollout} driving three real Consul servers ({@link ProcessRollout}). Meanwhile a
 * sampler reads, every 100 ms, the raft configuration and the leader, and a writer registers
 * services.
 */
class ServerRolloutIT {
  ProcessRollout rollout;
  TestConsulCluster consul;

  @BeforeEach
  void start() {
    rollout = new ProcessRollout(3);
    consul = rollout.consul;
  }

  @AfterEach
  void stop() {
    consul.close();
  }

  @Test
  void aConfigurationChangeRollsOneServerAtATimeTheLeaderLastKeepingQuorum() throws Exception {
    rollout.wanted = 2;
    try (ProcessRollout.Sampler sampler = new ProcessRollout.Sampler(consul, null)) {
      ProcessRollout.Roll roll =
          rollout.roll(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(120));
      assertThat(roll.last()).isInstanceOf(ServerRollout.Done.class);
      assertThat(roll.restarts())
          .extracting(ProcessRollout.Restart::server)
          .doesNotHaveDuplicates()
          .hasSize(3);
      // The leader of the moment is restarted only when it is the last server left to roll.
      for (int i = 0; i < roll.restarts().size() - 1; i++) {
        assertThat(roll.restarts().get(i).wasLeader()).as("restart %d of a leader", i).isFalse();
      }
      assertThat(rollout.launched.values()).containsOnly(2);
      sampler.close();
      assertThat(sampler.minLiveVoters.get())
          .as("live voters at every 100 ms sample")
          .isGreaterThanOrEqualTo(2);
      assertThat(sampler.longestLeaderlessMs.get())
          .as("longest time without a leader")
          .isLessThan(5_000);
      assertThat(sampler.failedWrites.get())
          .as("registrations that failed even when retried")
          .isZero();
      assertThat(sampler.writes.get()).isPositive();
    }
  }

  @Test
  void aServerThatDoesNotComeBackStallsTheRollWithOneServerDown() throws Exception {
    rollout.wanted = 2;
    consul.servers().forEach(s -> rollout.broken.add(s.name()));
    ProcessRollout.Roll roll =
        rollout.roll(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(60));
    assertThat(roll.last()).isInstanceOf(ServerRollout.Stalled.class);
    assertThat(roll.restarts()).hasSize(1);
    String down = roll.restarts().get(0).server();
    assertThat(((ServerRollout.Stalled) roll.last()).server()).isEqualTo(down);
    assertThat(roll.restarts().get(0).wasLeader()).isFalse();
    // Held: the next decisions still stall on it, and the other two keep serving with a leader.
    for (int i = 0; i < 20; i++) {
      assertThat(
              rollout.decide(
                  new ServerRollout.InFlight(down, roll.restartedAt()),
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(8)))
          .isInstanceOf(ServerRollout.Stalled.class);
      Thread.sleep(100);
    }
    assertThat(
            consul.servers().stream().filter(TestConsulNode::isRunning).map(TestConsulNode::name))
        .hasSize(2)
        .doesNotContain(down);
    assertThat(consul.httpGet("/v1/status/leader")).isNotBlank();
  }
}
