package dev.bellhop.bench.gateway;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop load generator (what wrk2 does; wrk2 is no Debian package): sends at a fixed rate
 * whatever the answers do, and measures each latency from the moment the request was
 * <em>scheduled</em>, not sent, so a stall is not hidden by the generator waiting for it
 * (no coordinated omission). Requests go out in 1 ms batches over a keep-alive pool.
 */
final class FixedRateLoad {
  record Result(long sent, long errors, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs) {}

  private FixedRateLoad() {}

  static Result run(Vertx vertx, int port, String path, Buffer body, double ratePerSecond, Duration duration,
      int connections) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    int total = (int) Math.round(ratePerSecond * duration.toMillis() / 1000.0);
    long[] latencies = new long[total];
    long[] errors = new long[1];
    Promise<Void> done = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("content-type", "application/json").setIdleTimeout(10_000);
    vertx.runOnContext(v -> {
      long start = System.nanoTime();
      long intervalNanos = (long) (1e9 / ratePerSecond);
      int[] scheduled = {0};
      int[] completed = {0};
      vertx.setPeriodic(1, timer -> {
        long now = System.nanoTime();
        long due = Math.min(total, (now - start) / intervalNanos + 1);
        while (scheduled[0] < due) {
          int index = scheduled[0]++;
          long intended = start + index * intervalNanos;
          client.request(options)
              .compose(request -> request.send(body))
              .compose(response -> response.body().map(b -> response.statusCode()))
              .onComplete(ar -> {
                latencies[index] = System.nanoTime() - intended;
                if (ar.failed() || ar.result() != 200) {
                  errors[0]++;
                }
                if (++completed[0] == total) {
                  done.complete();
                }
              });
        }
        if (scheduled[0] >= total) {
          vertx.cancelTimer(timer);
        }
      });
    });
    done.future().toCompletionStage().toCompletableFuture().get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
    client.close();
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    return new Result(total, errors[0], ms(sorted, 50), ms(sorted, 90), ms(sorted, 99), ms(sorted, 99.9),
        sorted[sorted.length - 1] / 1e6);
  }

  private static double ms(long[] sorted, double percentile) {
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
