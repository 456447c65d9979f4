package dev.bellhop.operator.consulcluster;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.bellhop.operator.crd.ConsulCluster;
import dev.bellhop.operator.crd.ConsulClusterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;

/**
 * {@code spec.backup} with its defaults: when snapshots are due (Unix cron, UTC, as a CronJob's
 * schedule), how many to keep, and the claim they go to.
 */
record BackupSettings(ExecutionTime schedule, int retain, String claim) {
  static final int DEFAULT_RETAIN = 7;

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** CronJob's nicknames; cron-utils' Unix definition knows none of them. */
  private static final Map<String, String> NICKNAMES =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  /** Null when the cluster has no {@code spec.backup}. */
  static BackupSettings of(ConsulCluster cc) {
    ConsulClusterSpec.Backup b = cc.getSpec() == null ? null : cc.getSpec().getBackup();
    if (b == null) {
      return null;
    }
    return new BackupSettings(
        ExecutionTime.forCron(UNIX.parse(NICKNAMES.getOrDefault(b.getSchedule(), b.getSchedule()))),
        b.getRetain() == null ? DEFAULT_RETAIN : b.getRetain(),
        b.getClaim());
  }

  /** Null when the schedule parses, else why not. */
  static String scheduleProblem(String schedule) {
    if (schedule == null) {
      return "spec.backup.schedule is required";
    }
    try {
      UNIX.parse(NICKNAMES.getOrDefault(schedule, schedule));
      return null;
    } catch (IllegalArgumentException e) {
      return "spec.backup.schedule '" + schedule + "' is not a cron schedule: " + e.getMessage();
    }
  }

  /** The latest scheduled time at or before {@code now}. */
  Instant lastSlot(Instant now) {
    ZonedDateTime at = now.atZone(ZoneOffset.UTC);
    if (schedule.isMatch(at.withNano(0))) {
      return at.withNano(0).toInstant();
    }
    return schedule.lastExecution(at).map(ZonedDateTime::toInstant).orElse(Instant.EPOCH);
  }

  Instant nextSlot(Instant now) {
    return schedule
        .nextExecution(now.atZone(ZoneOffset.UTC))
        .map(ZonedDateTime::toInstant)
        .orElse(now.plusSeconds(3600));
  }
}
