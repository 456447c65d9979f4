package dev.bellhop.operator.consulcluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupSettingsTest {
  @Test
  void noBackupWithoutSpecBackup() {
    assertThat(BackupSettings.of(cluster(null))).isNull();
  }

  @Test
  void slotsFollowTheCronScheduleInUtc() {
    BackupSettings b = BackupSettings.of(cluster(backup("30 */6 * * *", null)));
    Instant now = Instant.parse("2026-12-05T07:10:00Z");
    assertThat(b.lastSlot(now)).isEqualTo(Instant.parse("2026-12-05T06:30:00Z"));
    assertThat(b.nextSlot(now)).isEqualTo(Instant.parse("2026-12-05T12:30:00Z"));
    assertThat(b.lastSlot(Instant.parse("2026-12-05T12:30:00Z")))
        .as("a slot is due at its own second")
        .isEqualTo(Instant.parse("2026-12-05T12:30:00Z"));
    assertThat(b.retain()).isEqualTo(BackupSettings.DEFAULT_RETAIN);
  }

  @Test
  void cronJobNicknamesWork() {
    BackupSettings b = BackupSettings.of(cluster(backup("@daily", 3)));
    assertThat(b.nextSlot(Instant.parse("2026-12-05T07:10:00Z")))
        .isEqualTo(Instant.parse("2026-12-06T00:00:00Z"));
    assertThat(b.retain()).isEqualTo(3);
    assertThat(BackupSettings.scheduleProblem("@hourly")).isNull();
  }

  @Test
  void aScheduleThatIsNotCronIsNamed() {
    assertThat(BackupSettings.scheduleProblem("61 * * * *"))
        .startsWith("spec.backup.schedule '61 * * * *' is not a cron schedule");
    assertThat(BackupSettings.scheduleProblem(null)).isEqualTo("spec.backup.schedule is required");
    assertThat(ConsulClusterValidator.validate(cluster(backup("every day", 3))))
        .anySatisfy(p -> assertThat(p).contains("spec.backup.schedule 'every day'"));
  }

  private static ConsulClusterSpec.Backup backup(String schedule, Integer retain) {
    ConsulClusterSpec.Backup b = new ConsulClusterSpec.Backup();
    b.setSchedule(schedule);
    b.setRetain(retain);
    b.setClaim("consul-backups");
    return b;
  }

  private static ConsulCluster cluster(ConsulClusterSpec.Backup backup) {
    ConsulCluster cc = new ConsulCluster();
    cc.getMetadata().setName("consul");
    cc.setSpec(new ConsulClusterSpec());
    cc.getSpec().setBackup(backup);
    return cc;
  }
}
