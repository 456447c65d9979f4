package dev.bellhop.operator.registration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Consul sync engine: a desired set of registrations per owner in, the minimal Consul writes
 * out. It remembers what Consul holds for this Bellhop (read back from Consul at start and after
 * any failure, and kept up to date by watching Consul: {@link DriftWatch}), so a change costs only
 * the operations that differ and a converged state costs none. It also remembers what each owner
 * wants, so that whatever someone else changes in its entries is repaired through the same diff,
 * within a blocking query's wake-up and one transaction. It knows nothing of Kubernetes.
 */
public final class RegistrationSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationSync.class);
  static final int LANES = 4;

  /** Default period of the full read-back behind the watches. */
  public static final Duration READ_BACK = Duration.ofMinutes(5);

  private final ConsulCatalog consul;
  private final TxnPipeline pipeline;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /**
   * What Consul holds, as last written or seen. The per-owner maps are replaced, never changed in
   * place.
   */
  private final Map<Owner, Map<String, Registration>> owned = new ConcurrentHashMap<>();

  /**
   * What each owner wants, once it has synced in this engine's life. Maps replaced, never changed
   * in place.
   */
  private final Map<Owner, Map<String, Registration>> desired = new ConcurrentHashMap<>();

  /**
   * Serialises one owner's syncs, repairs and observations (JOSDK's one-reconcile-per-resource
   * covers only syncs).
   */
  private final Map<Owner, Object> ownerLocks = new ConcurrentHashMap<>();

  /**
   * Instances seen with their check missing or in another state: rewritten whole, counted as check
   * repairs.
   */
  private final Set<String> checkLost = ConcurrentHashMap.newKeySet();

  private final Map<String, String> nodes = new ConcurrentHashMap<>();

  /** Synthetic nodes being written, and the write to wait for. */
  private final Map<String, CompletableFuture<Void>> nodeWrites = new ConcurrentHashMap<>();

  private static final String NODES_KEY = DriftWatch.NODES;
  private final WriteStamps writes = new WriteStamps();
  private final DriftListener listener;
  private final DriftWatch watch;
  private volatile boolean stale = true;

  private final Counter syncs;
  private final Counter registrations;
  private final Counter deregistrations;
  private final Counter checkUpdates;
  private final Counter transactions;
  private final Counter errors;
  private final Map<RepairKind, Counter> repairs = new EnumMap<>(RepairKind.class);
  private final Timer txnTimer;

  /** With the watch and a read-back every 5 minutes, telling no one about repairs. */
  public RegistrationSync(ConsulCatalog consul, MeterRegistry meters) {
    this(consul, meters, true, READ_BACK, DriftListener.NONE);
  }

  /**
   * @param watch whether to watch Consul and repair what differs (off: Consul is read only at start
   *     and after failures, as before drift repair)
   * @param readBack period of the full read-back; zero turns it off
   */
  public RegistrationSync(
      ConsulCatalog consul,
      MeterRegistry meters,
      boolean watch,
      Duration readBack,
      DriftListener listener) {
    this.consul = consul;
    this.listener = listener;
    this.syncs = meters.counter("bellhop.consul.syncs");
    this.registrations = meters.counter("bellhop.consul.registrations");
    this.deregistrations = meters.counter("bellhop.consul.deregistrations");
    this.checkUpdates = meters.counter("bellhop.consul.check.updates");
    this.transactions = meters.counter("bellhop.consul.transactions");
    this.errors = meters.counter("bellhop.consul.errors");
    for (RepairKind kind : RepairKind.values()) {
      repairs.put(
          kind,
          Counter.builder("bellhop.consul.repairs")
              .tag("kind", kind.label())
              .description("Differences between Consul and what Bellhop wants, repaired")
              .register(meters));
    }
    consul.onRequest(
        Counter.builder("bellhop.consul.requests")
                .description("HTTP requests made to Consul, reads and writes")
                .register(meters)
            ::increment);
    this.txnTimer =
        Timer.builder("bellhop.consul.transaction").publishPercentileHistogram().register(meters);
    this.pipeline = new TxnPipeline(this::timedTxn, LANES);
    this.watch = watch ? new DriftWatch(this, consul, readBack) : null;
  }

  /**
   * Makes Consul hold exactly {@code desired} for {@code owner}, writing only what differs. Returns
   * once Consul has it. From then on the engine keeps Consul so: what someone else changes is
   * repaired.
   *
   * @throws ConsulUnavailableException Consul could not be reached; nothing is assumed written
   * @throws ConsulRejectedException Consul refused the write
   */
  public SyncResult sync(Owner owner, Collection<Registration> desired) {
    return sync(owner, desired, false);
  }

  private SyncResult sync(Owner owner, Collection<Registration> wanted, boolean repair) {
    ensureLoaded();
    lock.readLock().lock();
    try {
      synchronized (lockOf(owner)) {
        return syncLocked(owner, wanted, repair);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private SyncResult syncLocked(Owner owner, Collection<Registration> wanted, boolean repair) {
    Map<String, Registration> current = owned.getOrDefault(owner, Map.of());
    Map<String, Registration> next = new LinkedHashMap<>();
    List<Map<String, Object>> deletes = new ArrayList<>();
    Map<String, String> newNodes = new LinkedHashMap<>();
    List<Map<String, Object>> sets = new ArrayList<>();
    List<Registration> changed = new ArrayList<>();
    Map<RepairKind, Integer> kinds = new EnumMap<>(RepairKind.class);
    String example = null;
    int registered = 0;
    int checks = 0;
    for (Registration want : wanted) {
      if (!owner.equals(want.owner())) {
        throw new IllegalArgumentException(
            want.id() + " belongs to " + want.owner() + ", not " + owner);
      }
      next.put(want.id(), want);
      if (!nodes.containsKey(want.node()) && !newNodes.containsKey(want.node())) {
        newNodes.put(want.node(), want.nodeAddress());
        kinds.merge(RepairKind.NODE, 1, Integer::sum);
        example = example == null ? want.node() : example;
      }
      Registration have = current.get(want.id());
      if (have != null && have.sameEntry(want)) {
        if (have.passing() != want.passing()) {
          sets.add(ConsulCatalog.checkSet(want));
          changed.add(want);
          checks++;
          kinds.merge(RepairKind.CHECK, 1, Integer::sum);
          example = want.id();
        }
        continue;
      }
      if (have != null && !have.node().equals(want.node())) {
        deletes.add(ConsulCatalog.serviceDelete(have)); // the pod moved to another node
      }
      sets.add(ConsulCatalog.serviceSet(want));
      sets.add(ConsulCatalog.checkSet(want));
      changed.add(want);
      registered++;
      kinds.merge(
          have != null
              ? RepairKind.INSTANCE_ALTERED
              : checkLost.contains(want.id()) ? RepairKind.CHECK : RepairKind.INSTANCE_MISSING,
          1,
          Integer::sum);
      example = want.id();
    }
    int removed = 0;
    for (Registration have : current.values()) {
      if (!next.containsKey(have.id())) {
        deletes.add(ConsulCatalog.serviceDelete(have));
        changed.add(have);
        removed++;
        kinds.merge(RepairKind.INSTANCE_EXTRA, 1, Integer::sum);
        example = have.id();
      }
    }
    this.desired.put(owner, Collections.unmodifiableMap(next));
    List<Map<String, Object>> ops = new ArrayList<>(deletes);
    ops.addAll(sets);
    if (!repair) {
      syncs.increment();
    }
    if (ops.isEmpty() && newNodes.isEmpty()) {
      if (!next.isEmpty()) {
        // Consul holds what is wanted: one map, one set of objects for both (after a restart,
        // the entries read back from Consul would otherwise double the heap's registrations).
        owned.put(owner, next);
      }
      watchServicesOf(next);
      return new SyncResult(0, next.size(), List.of());
    }
    DriftListener.Repair found =
        repair ? new DriftListener.Repair(kinds, example, current.size(), next.size()) : null;
    if (repair) {
      LOG.atInfo()
          .addKeyValue("owner", owner)
          .addKeyValue("kinds", kinds)
          .addKeyValue("instance", example)
          .log("Consul differs from what Bellhop wants: repairing");
      listener.drifted(owner, found);
    }
    Set<String> touched = new HashSet<>();
    changed.forEach(r -> touched.add(r.service()));
    writes.begin(touched);
    int nodeWrites;
    try {
      nodeWrites = ensureNodes(newNodes);
      write(owner, ops);
    } finally {
      writes.end(touched);
    }
    if (next.isEmpty()) {
      owned.remove(owner);
    } else {
      owned.put(owner, next);
    }
    changed.forEach(r -> checkLost.remove(r.id()));
    registrations.increment(registered);
    deregistrations.increment(removed);
    checkUpdates.increment(checks);
    watchServicesOf(next);
    if (repair) {
      kinds.forEach((kind, n) -> repairs.get(kind).increment(n));
      listener.repaired(owner, found);
    }
    return new SyncResult(nodeWrites + ops.size(), next.size(), changed);
  }

  /**
   * Writes what {@code owner} wants wherever Consul was seen to differ; on failure, tells the
   * listener and tries again later (until it succeeds or the owner wants something else).
   */
  void repair(Owner owner) {
    Map<String, Registration> want = desired.get(owner);
    if (want == null) {
      return; // not synced in this engine's life: nothing known to repair towards
    }
    try {
      sync(owner, want.values(), true);
      if (watch != null) {
        watch.repairSucceeded(owner);
      }
    } catch (ConsulUnavailableException | ConsulRejectedException e) {
      Registration example = want.values().stream().findFirst().orElse(null);
      listener.repairFailed(
          owner,
          new DriftListener.Repair(
              Map.of(),
              example == null ? owner.toString() : example.id(),
              owned.getOrDefault(owner, Map.of()).size(),
              want.size()),
          e);
      if (watch != null) {
        watch.retryRepair(owner);
      }
    }
  }

  /**
   * Compares what a watch saw of {@code service} with what the engine believes, takes Consul's word
   * for it, and repairs the owners whose entries differ from what they want. Returns false,
   * changing nothing, when one of the engine's own writes of the service started after the read was
   * sent (the read may not show it): the caller reads again.
   */
  boolean observe(String service, ConsulCatalog.ServiceView view, long stamp) {
    Map<Owner, List<Registration>> seen = new HashMap<>();
    for (Registration r : view.registrations()) {
      seen.computeIfAbsent(r.owner(), o -> new ArrayList<>()).add(r);
    }
    Set<Owner> owners = new HashSet<>(seen.keySet());
    owners.addAll(ownersOf(service, owned));
    owners.addAll(ownersOf(service, desired));
    List<Owner> differing = new ArrayList<>();
    for (Owner owner : owners) {
      synchronized (lockOf(owner)) {
        if (!writes.unchangedSince(service, stamp)) {
          return false;
        }
        boolean known = desired.containsKey(owner);
        Map<String, Registration> current = owned.getOrDefault(owner, Map.of());
        Map<String, Registration> patched = new LinkedHashMap<>();
        for (Registration r : current.values()) {
          if (!r.service().equals(service)) {
            patched.put(r.id(), r);
          }
        }
        for (Registration r : seen.getOrDefault(owner, List.of())) {
          Registration want = known ? desired.get(owner).get(r.id()) : null;
          // One ID on two nodes (moved by hand, then copied back): the stray copy is the one to
          // remember, so that the diff deletes it and writes the wanted one again.
          boolean stray = want != null && !r.node().equals(want.node());
          String check = view.checks().get(r.id());
          if (known && !stray && !"passing".equals(check) && !"critical".equals(check)) {
            checkLost.add(r.id()); // left out: the diff writes it whole, check included
            continue;
          }
          if (stray || !patched.containsKey(r.id())) {
            // What Consul holds is mostly what the owner wants: keep one object for both (a copy
            // of 10,000 registrations parsed from Consul is ~16 MB of heap).
            patched.put(r.id(), r.equals(want) ? want : r);
          }
        }
        if (known && patched.equals(desired.get(owner))) {
          patched = desired.get(owner);
        }
        if (!patched.equals(current)) {
          if (patched.isEmpty()) {
            owned.remove(owner);
          } else {
            owned.put(owner, patched);
          }
        }
        // A false alarm costs a diff and no write: the repair writes only what differs.
        if (known && !patched.equals(desired.get(owner))) {
          differing.add(owner);
        }
      }
    }
    differing.forEach(this::repair);
    return true;
  }

  /**
   * Compares the synthetic nodes a watch saw with those the engine believes exist; a node gone or
   * altered is forgotten, and the owners with instances on it are repaired (which writes it again).
   */
  boolean observeNodes(Map<String, String> seen, long stamp) {
    Set<String> lost = new HashSet<>();
    synchronized (nodes) {
      if (!writes.unchangedSince(NODES_KEY, stamp)) {
        return false;
      }
      for (var node : nodes.entrySet()) {
        if (!node.getValue().equals(seen.get(node.getKey()))) {
          lost.add(node.getKey());
        }
      }
      lost.forEach(nodes::remove);
      seen.forEach(nodes::putIfAbsent);
    }
    if (!lost.isEmpty()) {
      for (var entry : desired.entrySet()) {
        if (entry.getValue().values().stream().anyMatch(r -> lost.contains(r.node()))) {
          repair(entry.getKey());
        }
      }
    }
    return true;
  }

  /**
   * The safety net behind the watches: reads back everything this Bellhop owns and compares it as
   * the watches do, writing only what differs. Services with an own write started meanwhile are
   * left to their watch.
   */
  void readBack() {
    Set<String> services = new HashSet<>();
    desired.values().forEach(m -> m.values().forEach(r -> services.add(r.service())));
    owned.values().forEach(m -> m.values().forEach(r -> services.add(r.service())));
    Map<String, Long> stamps = new HashMap<>();
    services.forEach(s -> stamps.put(s, writes.now(s)));
    long nodesStamp = writes.now(NODES_KEY);
    ConsulCatalog.Snapshot snapshot = consul.readOwned();
    observeNodes(snapshot.nodes(), nodesStamp);
    Map<String, List<Registration>> byService = new HashMap<>();
    snapshot
        .registrations()
        .forEach(r -> byService.computeIfAbsent(r.service(), k -> new ArrayList<>()).add(r));
    for (String service : services) {
      List<Registration> seen = byService.getOrDefault(service, List.of());
      observe(
          service, new ConsulCatalog.ServiceView(0, seen, snapshot.checks()), stamps.get(service));
    }
  }

  private static Set<Owner> ownersOf(
      String service, Map<Owner, Map<String, Registration>> byOwner) {
    Set<Owner> owners = new HashSet<>();
    byOwner.forEach(
        (owner, regs) -> {
          if (regs.values().stream().anyMatch(r -> r.service().equals(service))) {
            owners.add(owner);
          }
        });
    return owners;
  }

  /** Whether some owner wants instances of the service (its watch runs while one does). */
  boolean wantsService(String service) {
    return desired.values().stream()
        .anyMatch(m -> m.values().stream().anyMatch(r -> r.service().equals(service)));
  }

  WriteStamps writes() {
    return writes;
  }

  private void watchServicesOf(Map<String, Registration> regs) {
    if (watch != null && !regs.isEmpty()) {
      Set<String> services = new HashSet<>();
      regs.values().forEach(r -> services.add(r.service()));
      watch.watch(services);
    }
  }

  private Object lockOf(Owner owner) {
    return ownerLocks.computeIfAbsent(owner, o -> new Object());
  }

  public ConsulCatalog catalog() {
    return consul;
  }

  /**
   * The instances Bellhop keeps registered for {@code owner}, by service ID: what it wants, once it
   * has synced in this engine's life, else what Consul holds. (A repair pending is not a change of
   * mind: an unready pod whose entry was deleted by hand stays wanted, critical.)
   */
  public Map<String, Registration> registered(Owner owner) {
    ensureLoaded();
    Map<String, Registration> want = desired.get(owner);
    // The per-owner maps are replaced, never changed in place: a read-only view is a snapshot.
    return want != null ? want : Collections.unmodifiableMap(owned.getOrDefault(owner, Map.of()));
  }

  /** The owner's instances Consul was last seen to hold. */
  public int seenInConsul(Owner owner) {
    return owned.getOrDefault(owner, Map.of()).size();
  }

  /** Owners with registrations in Consul. */
  private Set<Owner> owners() {
    ensureLoaded();
    return Set.copyOf(owned.keySet());
  }

  /**
   * Deregisters everything of owners that no longer exist. Call only once the caller's view of
   * which owners exist is complete (its caches synced), or live entries would be deleted.
   */
  public int removeOrphans(Predicate<Owner> ownerExists) {
    int removed = 0;
    for (Owner owner : owners()) {
      if (!ownerExists.test(owner)) {
        int count = owned.getOrDefault(owner, Map.of()).size();
        sync(owner, List.of());
        removed += count;
        LOG.atInfo()
            .addKeyValue("owner", owner)
            .addKeyValue("instances", count)
            .log("deregistered instances of a HotelService that no longer exists");
      }
    }
    return removed;
  }

  /**
   * Makes sure Consul has these synthetic nodes before services are put on them. Each is written
   * once: a sync that needs a node another sync is writing waits for that write (at a cold start
   * every concurrent sync needs every node). Returns the node operations this call wrote.
   */
  private int ensureNodes(Map<String, String> wanted) {
    if (wanted.isEmpty()) {
      return 0;
    }
    Map<String, String> mine = new LinkedHashMap<>();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    CompletableFuture<Void> written = new CompletableFuture<>();
    for (var node : wanted.entrySet()) {
      if (nodes.containsKey(node.getKey())) {
        continue; // written since the diff
      }
      CompletableFuture<Void> other = nodeWrites.putIfAbsent(node.getKey(), written);
      if (other == null) {
        mine.put(node.getKey(), node.getValue());
      } else {
        pending.add(other);
      }
    }
    if (!mine.isEmpty()) {
      List<Map<String, Object>> ops = new ArrayList<>();
      mine.forEach(
          (node, address) -> ops.add(ConsulCatalog.nodeSet(node, address, consul.clusterId())));
      writes.begin(List.of(NODES_KEY));
      pipeline
          .submit(NODES_KEY, ops)
          .whenComplete(
              (ok, failure) -> {
                if (failure == null) {
                  synchronized (nodes) {
                    nodes.putAll(mine);
                  }
                }
                writes.end(List.of(NODES_KEY));
                mine.keySet().forEach(nodeWrites::remove);
                if (failure == null) {
                  written.complete(null);
                } else {
                  written.completeExceptionally(failure);
                }
              });
      pending.add(written);
    }
    join(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)));
    return mine.size();
  }

  private void write(Owner owner, List<Map<String, Object>> ops) {
    join(pipeline.submit(owner.toString(), ops));
  }

  private void join(CompletableFuture<Void> done) {
    try {
      done.join();
    } catch (CompletionException e) {
      stale = true; // part of it may have been applied: read Consul back before the next diff
      errors.increment();
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private void timedTxn(List<Map<String, Object>> ops) {
    transactions.increment();
    txnTimer.record(() -> consul.txn(ops));
  }

  private void ensureLoaded() {
    if (!stale) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (!stale) {
        return;
      }
      ConsulCatalog.Snapshot snapshot;
      try {
        snapshot = consul.readOwned();
      } catch (RuntimeException e) {
        errors.increment();
        throw e;
      }
      Map<Owner, Map<String, Registration>> byOwner = new HashMap<>();
      for (Registration r : snapshot.registrations()) {
        byOwner.computeIfAbsent(r.owner(), o -> new LinkedHashMap<>()).put(r.id(), r);
      }
      owned.clear();
      owned.putAll(byOwner);
      nodes.clear();
      nodes.putAll(snapshot.nodes());
      stale = false;
      LOG.atInfo()
          .addKeyValue("instances", snapshot.registrations().size())
          .addKeyValue("nodes", snapshot.nodes().size())
          .log("read owned Consul entries");
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    consul.close(); // ends the parked watches
    pipeline.close();
  }

  /**
   * @param writes Consul operations written
   * @param registered instances now registered for the owner
   * @param changed registrations written or removed
   */
  public record SyncResult(int writes, int registered, List<Registration> changed) {}
}
