package dev.bellhop.operator.registration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
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
 * any failure), so a change costs only the operations that differ and a converged state costs
 * none. It knows nothing of Kubernetes.
 */
public final class RegistrationSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationSync.class);
  static final int LANES = 4;

  private final ConsulCatalog consul;
  private final TxnPipeline pipeline;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Map<String, Registration>> owned = new ConcurrentHashMap<>();
  private final Map<String, String> nodes = new ConcurrentHashMap<>();
  /** Synthetic nodes being written, and the write to wait for. */
  private final Map<String, CompletableFuture<Void>> nodeWrites = new ConcurrentHashMap<>();
  private static final String NODES_KEY = "synthetic nodes";
  private volatile boolean stale = true;

  private final Counter syncs;
  private final Counter registrations;
  private final Counter deregistrations;
  private final Counter checkUpdates;
  private final Counter transactions;
  private final Counter errors;
  private final Timer txnTimer;

  public RegistrationSync(ConsulCatalog consul, MeterRegistry meters) {
    this.consul = consul;
    this.syncs = meters.counter("bellhop.consul.syncs");
    this.registrations = meters.counter("bellhop.consul.registrations");
    this.deregistrations = meters.counter("bellhop.consul.deregistrations");
    this.checkUpdates = meters.counter("bellhop.consul.check.updates");
    this.transactions = meters.counter("bellhop.consul.transactions");
    this.errors = meters.counter("bellhop.consul.errors");
    this.txnTimer = Timer.builder("bellhop.consul.transaction").publishPercentileHistogram().register(meters);
    this.pipeline = new TxnPipeline(this::timedTxn, LANES);
  }

  /**
   * Makes Consul hold exactly {@code desired} for {@code owner}, writing only what differs.
   * Returns once Consul has it.
   *
   * @throws ConsulUnavailableException Consul could not be reached; nothing is assumed written
   * @throws ConsulRejectedException Consul refused the write
   */
  public SyncResult sync(String owner, Collection<Registration> desired) {
    ensureLoaded();
    lock.readLock().lock();
    try {
      Map<String, Registration> current = owned.getOrDefault(owner, Map.of());
      Map<String, Registration> next = new LinkedHashMap<>();
      List<Map<String, Object>> deletes = new ArrayList<>();
      Map<String, String> newNodes = new LinkedHashMap<>();
      List<Map<String, Object>> sets = new ArrayList<>();
      List<Registration> changed = new ArrayList<>();
      int registered = 0;
      int checks = 0;
      for (Registration want : desired) {
        if (!owner.equals(want.owner())) {
          throw new IllegalArgumentException(want.id() + " belongs to " + want.owner() + ", not " + owner);
        }
        next.put(want.id(), want);
        Registration have = current.get(want.id());
        if (have != null && have.sameEntry(want)) {
          if (have.passing() != want.passing()) {
            sets.add(ConsulCatalog.checkSet(want));
            changed.add(want);
            checks++;
          }
          continue;
        }
        if (have != null && !have.node().equals(want.node())) {
          deletes.add(ConsulCatalog.serviceDelete(have)); // the pod moved to another node
        }
        if (!nodes.containsKey(want.node()) && !newNodes.containsKey(want.node())) {
          newNodes.put(want.node(), want.nodeAddress());
        }
        sets.add(ConsulCatalog.serviceSet(want));
        sets.add(ConsulCatalog.checkSet(want));
        changed.add(want);
        registered++;
      }
      int removed = 0;
      for (Registration have : current.values()) {
        if (!next.containsKey(have.id())) {
          deletes.add(ConsulCatalog.serviceDelete(have));
          changed.add(have);
          removed++;
        }
      }
      List<Map<String, Object>> ops = new ArrayList<>(deletes);
      ops.addAll(sets);
      syncs.increment();
      if (ops.isEmpty()) {
        return new SyncResult(0, next.size(), List.of());
      }
      int nodeWrites = ensureNodes(newNodes);
      write(owner, ops);
      if (next.isEmpty()) {
        owned.remove(owner);
      } else {
        owned.put(owner, next);
      }
      registrations.increment(registered);
      deregistrations.increment(removed);
      checkUpdates.increment(checks);
      return new SyncResult(nodeWrites + ops.size(), next.size(), changed);
    } finally {
      lock.readLock().unlock();
    }
  }

  public ConsulCatalog catalog() {
    return consul;
  }

  /** What Consul holds for {@code owner}, by service ID, as far as this engine knows. */
  public Map<String, Registration> registered(String owner) {
    ensureLoaded();
    // The per-owner maps are replaced, never changed in place: a read-only view is a snapshot.
    return Collections.unmodifiableMap(owned.getOrDefault(owner, Map.of()));
  }

  /** Owners with registrations in Consul. */
  private Set<String> owners() {
    ensureLoaded();
    return Set.copyOf(owned.keySet());
  }

  /**
   * Deregisters everything of owners that no longer exist. Call only once the caller's view of
   * which owners exist is complete (its caches synced), or live entries would be deleted.
   */
  public int removeOrphans(Predicate<String> ownerExists) {
    int removed = 0;
    for (String owner : owners()) {
      if (!ownerExists.test(owner)) {
        int count = registered(owner).size();
        sync(owner, List.of());
        removed += count;
        LOG.atInfo().addKeyValue("owner", owner).addKeyValue("instances", count)
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
      mine.forEach((node, address) -> ops.add(ConsulCatalog.nodeSet(node, address, consul.clusterId())));
      pipeline.submit(NODES_KEY, ops).whenComplete((ok, failure) -> {
        if (failure == null) {
          nodes.putAll(mine);
        }
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

  private void write(String owner, List<Map<String, Object>> ops) {
    join(pipeline.submit(owner, ops));
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
      Map<String, Map<String, Registration>> byOwner = new HashMap<>();
      for (Registration r : snapshot.registrations()) {
        byOwner.computeIfAbsent(r.owner(), o -> new LinkedHashMap<>()).put(r.id(), r);
      }
      owned.clear();
      owned.putAll(byOwner);
      nodes.clear();
      nodes.putAll(snapshot.nodes());
      stale = false;
      LOG.atInfo().addKeyValue("instances", snapshot.registrations().size())
          .addKeyValue("nodes", snapshot.nodes().size()).log("read owned Consul entries");
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    pipeline.close();
  }

  /**
   * @param writes Consul operations written
   * @param registered instances now registered for the owner
   * @param changed registrations written or removed
   */
  public record SyncResult(int writes, int registered, List<Registration> changed) {}
}
