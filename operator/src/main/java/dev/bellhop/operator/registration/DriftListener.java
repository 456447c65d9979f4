package dev.bellhop.operator.registration;

import java.util.Map;

/**
 * Told about repairs of what Consul holds for an owner: when a difference is seen (the repair is
 * being written), when it is written, and when writing it failed (it is retried). Called from the
 * engine's watch threads: implementations return quickly.
 */
public interface DriftListener {
  DriftListener NONE =
      new DriftListener() {
        @Override
        public void drifted(Owner owner, Repair repair) {}

        @Override
        public void repaired(Owner owner, Repair repair) {}

        @Override
        public void repairFailed(Owner owner, Repair repair, RuntimeException error) {}
      };

  void drifted(Owner owner, Repair repair);

  void repaired(Owner owner, Repair repair);

  void repairFailed(Owner owner, Repair repair, RuntimeException error);

  /**
   * @param kinds what differed, counted by kind
   * @param instance one instance (or node) that differed, to name in messages
   * @param seenInConsul the owner's instances Consul was last seen to hold
   * @param wanted the owner's instances Bellhop wants registered
   */
  record Repair(Map<RepairKind, Integer> kinds, String instance, int seenInConsul, int wanted) {
    public int total() {
      return kinds.values().stream().mapToInt(Integer::intValue).sum();
    }
  }
}
