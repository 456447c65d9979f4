package dev.bellhop.bench.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop load generator (what wrk2 does; wrk2 is no Debian package): sends at a fixed rate
 * whatever the answers do, and measures each latency from the moment the request was
 * <em>scheduled</em>, not sent, so a stall is not hidden by the generator waiting for it (no
 * coordinated omission). Requests go out in 1 ms batches from two event loops over keep-alive
 * pools.
 */
final class FixedRateLoad {
  record Result(
      long sent,
      long errors,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double p999Ms,
      double maxMs) {}

  private FixedRateLoad() {}

  /** Keep-alive clients per target port, kept across runs (so slices do not reconnect). */
  private static final Map<Integer, List<HttpClient>> CLIENTS = new HashMap<>();

  static void closeClients() {
    CLIENTS.values().forEach(list -> list.forEach(HttpClient::close));
    CLIENTS.clear();
  }

  /** Two senders (event loops), each half the rate on an interleaved schedule. */
  static final int SENDERS = 2;

  /** Latencies (ns, from the scheduled time) of one run, in schedule order, and its error count. */
  record Samples(long[] latencies, long errors) {}

  /** Percentiles over the samples of several runs together. */
  static Result summarize(List<Samples> runs) {
    long[] sorted =
        runs.stream().flatMapToLong(r -> Arrays.stream(r.latencies())).sorted().toArray();
    long errorCount = runs.stream().mapToLong(Samples::errors).sum();
    return new Result(
        sorted.length,
        errorCount,
        ms(sorted, 50),
        ms(sorted, 90),
        ms(sorted, 99),
        ms(sorted, 99.9),
        sorted[sorted.length - 1] / 1e6);
  }

  static Samples samples(
      Vertx vertx,
      int port,
      String path,
      Buffer body,
      double ratePerSecond,
      Duration duration,
      int connections)
      throws Exception {
    int total = (int) Math.round(ratePerSecond * duration.toMillis() / 1000.0);
    long[] latencies = new long[total];
    long[] errors = new long[SENDERS];
    long intervalNanos = (long) (1e9 / ratePerSecond);
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(path)
            .putHeader("content-type", "application/json")
            .setIdleTimeout(10_000);
    List<Future<Void>> finished = new ArrayList<>();
    List<HttpClient> clients = CLIENTS.computeIfAbsent(port, p -> new ArrayList<>());
    long start = System.nanoTime() + 20_000_000L; // a common origin, shortly ahead
    for (int sender = 0; sender < SENDERS; sender++) {
      int me = sender;
      if (clients.size() <= sender) {
        clients.add(
            vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions()
                    .setHttp1MaxSize(Math.max(1, connections / SENDERS))
                    .setMaxWaitQueueSize(-1)));
      }
      HttpClient client = clients.get(sender);
      // Request i (i ≡ me mod SENDERS) is due at start + i × interval.
      int mine = (total - me + SENDERS - 1) / SENDERS;
      Promise<Void> done = Promise.promise();
      finished.add(done.future());
      if (mine == 0) {
        done.complete();
        continue;
      }
      Context context = vertx.getOrCreateContext();
      context.runOnContext(
          v -> {
            int[] next = {me};
            int[] completed = {0};
            vertx.setPeriodic(
                1,
                timer -> {
                  long now = System.nanoTime();
                  while (next[0] < total && now - (start + next[0] * intervalNanos) >= 0) {
                    int index = next[0];
                    next[0] += SENDERS;
                    long intended = start + index * intervalNanos;
                    client
                        .request(options)
                        .compose(request -> request.send(body))
                        .compose(response -> response.body().map(b -> response.statusCode()))
                        .onComplete(
                            ar -> {
                              latencies[index] = System.nanoTime() - intended;
                              if (ar.failed() || ar.result() != 200) {
                                errors[me]++;
                              }
                              if (++completed[0] == mine) {
                                done.complete();
                              }
                            });
                  }
                  if (next[0] >= total) {
                    vertx.cancelTimer(timer);
                  }
                });
          });
    }
    Future.all(finished)
        .toCompletionStage()
        .toCompletableFuture()
        .get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
    return new Samples(latencies, Arrays.stream(errors).sum());
  }

  private static double ms(long[] sorted, double percentile) {
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
