package dev.bellhop.operator.registration;

import dev.bellhop.operator.threads.DaemonThreads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Group commit into Consul transactions. Callers submit batches of operations; a free lane packs
 * queued batches into a transaction of at most 64 operations, so a burst of small changes costs few
 * round trips while a lone change is written at once. Several lanes keep more than one transaction
 * in flight, all taking from one queue, so none idles while another has a backlog. A batch stays
 * with the lane that took it, written in order (its first operations before its later ones), and
 * batches of one key are taken in the order they came, one lane at a time.
 */
final class TxnPipeline implements AutoCloseable {
  private final Consumer<List<Map<String, Object>>> txn;
  // All guarded by this.
  private final Deque<Batch> waiting = new ArrayDeque<>();
  private final Map<String, Lane> keyHolders = new HashMap<>();
  private boolean closed;

  TxnPipeline(Consumer<List<Map<String, Object>>> txn, int laneCount) {
    this.txn = txn;
    ThreadFactory threads = DaemonThreads.named("consul-txn");
    for (int i = 0; i < laneCount; i++) {
      threads.newThread(new Lane()).start();
    }
  }

  CompletableFuture<Void> submit(String key, List<Map<String, Object>> ops) {
    Batch batch = new Batch(key, List.copyOf(ops), new CompletableFuture<>());
    if (ops.isEmpty()) {
      batch.done.complete(null);
      return batch.done;
    }
    synchronized (this) {
      if (!closed) {
        waiting.addLast(batch);
        notifyAll();
        return batch.done;
      }
    }
    batch.done.completeExceptionally(new IllegalStateException("Consul writer stopped"));
    return batch.done;
  }

  @Override
  public void close() {
    List<Batch> dropped;
    synchronized (this) {
      closed = true;
      dropped = new ArrayList<>(waiting);
      waiting.clear();
      notifyAll();
    }
    dropped.forEach(
        b -> b.done.completeExceptionally(new IllegalStateException("Consul writer stopped")));
  }

  private record Batch(String key, List<Map<String, Object>> ops, CompletableFuture<Void> done) {}

  /**
   * One transaction's operations and the batches they come from (the last may continue in the
   * next).
   */
  private record Chunk(List<Map<String, Object>> ops, List<Batch> batches, int lastSentAfter) {}

  private final class Lane implements Runnable {
    private final Deque<Batch> open = new ArrayDeque<>(); // taken by this lane, in order
    private int sentOfHead; // operations of open.peekFirst() already committed

    @Override
    public void run() {
      try {
        Chunk chunk;
        while ((chunk = nextChunk()) != null) {
          write(chunk);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        List<Batch> left;
        synchronized (TxnPipeline.this) {
          left = new ArrayList<>(open);
        }
        RuntimeException stopped = new IllegalStateException("Consul writer stopped");
        finish(left, 0, b -> stopped);
      }
    }

    /** Takes enough queued batches to fill a transaction and returns it; null once closed. */
    private Chunk nextChunk() throws InterruptedException {
      synchronized (TxnPipeline.this) {
        while (true) {
          take();
          if (!open.isEmpty()) {
            return chunk();
          }
          if (closed) {
            return null;
          }
          TxnPipeline.this.wait();
        }
      }
    }

    private void take() {
      int pending = -sentOfHead;
      for (Batch b : open) {
        pending += b.ops.size();
      }
      for (Iterator<Batch> it = waiting.iterator();
          it.hasNext() && pending < ConsulCatalog.MAX_TXN_OPS; ) {
        Batch b = it.next();
        Lane holder = keyHolders.putIfAbsent(b.key, this);
        if (holder != null && holder != this) {
          continue; // an earlier batch of this key is still with another lane
        }
        it.remove();
        open.addLast(b);
        pending += b.ops.size();
      }
    }

    private Chunk chunk() {
      List<Map<String, Object>> ops = new ArrayList<>(ConsulCatalog.MAX_TXN_OPS);
      List<Batch> batches = new ArrayList<>();
      int offset = sentOfHead;
      int sentAfter = 0;
      for (Batch b : open) {
        int room = ConsulCatalog.MAX_TXN_OPS - ops.size();
        if (room == 0) {
          break;
        }
        int take = Math.min(room, b.ops.size() - offset);
        ops.addAll(b.ops.subList(offset, offset + take));
        batches.add(b);
        sentAfter = offset + take;
        offset = 0;
      }
      return new Chunk(ops, batches, sentAfter);
    }

    private void write(Chunk chunk) {
      List<Batch> involved = chunk.batches;
      Batch last = involved.get(involved.size() - 1);
      try {
        txn.accept(chunk.ops);
      } catch (ConsulRejectedException e) {
        if (involved.size() > 1) {
          // One caller's bad operation must not fail the others: write each batch on its own.
          Map<Batch, RuntimeException> outcomes = new HashMap<>();
          involved.forEach(b -> outcomes.put(b, writeAlone(b)));
          finish(involved, 0, outcomes::get);
          return;
        }
        finish(involved, 0, b -> e);
        return;
      } catch (RuntimeException e) {
        finish(involved, 0, b -> e);
        return;
      }
      if (chunk.lastSentAfter == last.ops.size()) {
        finish(involved, 0, b -> null);
      } else { // the last batch goes on in the next transaction, as the lane's head
        finish(involved.subList(0, involved.size() - 1), chunk.lastSentAfter, b -> null);
      }
    }

    /**
     * Drops the batches from this lane and frees their keys, then completes each (failed where
     * {@code outcome} has an error).
     */
    private void finish(
        List<Batch> batches, int headSent, Function<Batch, RuntimeException> outcome) {
      synchronized (TxnPipeline.this) {
        for (Batch b : batches) {
          open.remove(b);
          if (open.stream().noneMatch(other -> other.key.equals(b.key))) {
            keyHolders.remove(b.key, this);
          }
        }
        sentOfHead = headSent;
        TxnPipeline.this.notifyAll(); // a freed key may let another lane take a waiting batch
      }
      for (Batch b : batches) {
        RuntimeException error = outcome.apply(b);
        if (error == null) {
          b.done.complete(null);
        } else {
          b.done.completeExceptionally(error);
        }
      }
    }

    /** Writes a whole batch in transactions of its own; the error, or null. */
    private RuntimeException writeAlone(Batch batch) {
      try {
        for (int i = 0; i < batch.ops.size(); i += ConsulCatalog.MAX_TXN_OPS) {
          txn.accept(
              batch.ops.subList(i, Math.min(batch.ops.size(), i + ConsulCatalog.MAX_TXN_OPS)));
        }
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    }
  }
}
