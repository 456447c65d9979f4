package dev.bellhop.operator.registration;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Group commit into Consul transactions. Callers submit batches of operations; each lane packs
 * whatever is queued into transactions of at most 64 operations, so a burst of small changes
 * costs few round trips while a lone change is written at once. A caller's batch always goes
 * through one lane, in order, so its node is written before its services. Several lanes keep
 * more than one transaction in flight.
 */
final class TxnPipeline implements AutoCloseable {
  private static final Batch STOP = new Batch(List.of(), new CompletableFuture<>());

  private final Consumer<List<Map<String, Object>>> txn;
  private final List<Lane> lanes = new ArrayList<>();

  TxnPipeline(Consumer<List<Map<String, Object>>> txn, int laneCount) {
    this.txn = txn;
    for (int i = 0; i < laneCount; i++) {
      Lane lane = new Lane();
      lanes.add(lane);
      Thread thread = new Thread(lane, "consul-txn-" + i);
      thread.setDaemon(true);
      thread.start();
    }
  }

  CompletableFuture<Void> submit(String key, List<Map<String, Object>> ops) {
    Batch batch = new Batch(List.copyOf(ops), new CompletableFuture<>());
    if (ops.isEmpty()) {
      batch.done.complete(null);
    } else {
      lanes.get(Math.floorMod(key.hashCode(), lanes.size())).queue.add(batch);
    }
    return batch.done;
  }

  @Override
  public void close() {
    lanes.forEach(lane -> lane.queue.add(STOP));
  }

  private record Batch(List<Map<String, Object>> ops, CompletableFuture<Void> done) {}

  private final class Lane implements Runnable {
    final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final Deque<Batch> open = new ArrayDeque<>();
    private int sentOfHead; // operations of open.peekFirst() already committed

    @Override
    public void run() {
      try {
        while (true) {
          if (open.isEmpty() && !accept(queue.take())) {
            return;
          }
          List<Batch> drained = new ArrayList<>();
          queue.drainTo(drained);
          for (Batch b : drained) {
            if (!accept(b)) {
              return;
            }
          }
          writeNextChunk();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        open.forEach(b -> b.done.completeExceptionally(new IllegalStateException("Consul writer stopped")));
      }
    }

    private boolean accept(Batch batch) {
      if (batch == STOP) {
        return false;
      }
      open.addLast(batch);
      return true;
    }

    /** Writes up to 64 queued operations in one transaction and settles the batches it finished. */
    private void writeNextChunk() {
      List<Map<String, Object>> chunk = new ArrayList<>(ConsulCatalog.MAX_TXN_OPS);
      List<Batch> involved = new ArrayList<>();
      int offset = sentOfHead;
      int headSentAfter = 0;
      for (Batch b : open) {
        int room = ConsulCatalog.MAX_TXN_OPS - chunk.size();
        if (room == 0) {
          break;
        }
        int take = Math.min(room, b.ops.size() - offset);
        chunk.addAll(b.ops.subList(offset, offset + take));
        involved.add(b);
        headSentAfter = offset + take;
        offset = 0;
      }
      try {
        txn.accept(chunk);
      } catch (ConsulRejectedException e) {
        if (involved.size() > 1) {
          // One caller's bad operation must not fail the others: write each batch on its own.
          involved.forEach(open::remove);
          sentOfHead = 0;
          involved.forEach(this::writeAlone);
          return;
        }
        fail(involved, e);
        return;
      } catch (RuntimeException e) {
        fail(involved, e);
        return;
      }
      Batch last = involved.get(involved.size() - 1);
      for (Batch b : involved) {
        boolean finished = b != last || headSentAfter == b.ops.size();
        if (finished) {
          open.remove(b);
          b.done.complete(null);
        }
      }
      sentOfHead = last.done.isDone() ? 0 : headSentAfter;
    }

    private void writeAlone(Batch batch) {
      try {
        for (int i = 0; i < batch.ops.size(); i += ConsulCatalog.MAX_TXN_OPS) {
          txn.accept(batch.ops.subList(i, Math.min(batch.ops.size(), i + ConsulCatalog.MAX_TXN_OPS)));
        }
        batch.done.complete(null);
      } catch (RuntimeException e) {
        batch.done.completeExceptionally(e);
      }
    }

    private void fail(List<Batch> involved, RuntimeException e) {
      involved.forEach(open::remove);
      sentOfHead = 0;
      involved.forEach(b -> b.done.completeExceptionally(e));
    }
  }
}
