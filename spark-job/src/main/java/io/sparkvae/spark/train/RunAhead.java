package io.sparkvae.spark.train;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.NonFiniteLossException;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps run ahead on an executor ({@code overlapSteps}): once a replica's task has returned its
 * state for round r, a background thread runs the first steps of round r+1 on the same native
 * replica, from the replica's own state, while the driver averages and launches round r+1. The task
 * of round r+1 takes them ({@link #take}, waiting for the thread if needed) and moves them onto the
 * new global state. Nothing here is the truth: a task that finds no steps ahead (its executor was
 * replaced, or it is a retry) runs its round from the global state.
 *
 * <p>Keyed by run and replica; the replica's native state, shuffle and noise stream pass from the
 * task to the thread and back, one owner at a time. {@link #forget} closes what a finished run
 * left.
 */
final class RunAhead {
  private static final Logger LOG = LoggerFactory.getLogger(RunAhead.class);

  /**
   * What a replica ran ahead.
   *
   * @param round the round the steps belong to
   * @param sent the replica's state when its task returned (the state the driver averages)
   * @param state the replica's state after the steps; null when they diverged
   * @param trainer the native replica, now at {@code state}
   * @param batches its shuffle, positioned after the steps
   * @param noise its noise stream of {@code round}, after the steps
   * @param steps the steps run
   * @param stats their statistics
   * @param diverged the non-finite loss the steps ran into, else null
   */
  record Ahead(
      long round,
      TrainingState sent,
      TrainingState state,
      LocalTrainer trainer,
      ShuffledBatches batches,
      SplittableRandom noise,
      int steps,
      TrainStats stats,
      NonFiniteLossException diverged) {}

  private static final Map<String, Future<Ahead>> PENDING = new ConcurrentHashMap<>();

  private static final AtomicLong TAKEN = new AtomicLong();

  private static final ExecutorService THREADS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sparkvae-run-ahead");
            t.setDaemon(true);
            return t;
          });

  private RunAhead() {}

  /**
   * Hands a replica to a background thread that runs {@code steps} steps of {@code round} with
   * {@code config}; the caller gives up the trainer, the shuffle and the noise stream.
   */
  static void start(
      String key,
      long round,
      LocalTrainer trainer,
      TrainingState sent,
      ShuffledBatches batches,
      SplittableRandom noise,
      int steps,
      VaeConfig config) {
    Future<Ahead> f =
        THREADS.submit(
            () -> {
              try {
                if (!trainer.adopt(config)) {
                  throw new IllegalStateException(
                      "the next round's configuration differs beyond its learning rate");
                }
                TrainStats st = trainer.train(batches, steps, noise);
                return new Ahead(
                    round, sent, trainer.snapshot(), trainer, batches, noise, steps, st, null);
              } catch (NonFiniteLossException e) {
                return new Ahead(
                    round, sent, null, trainer, batches, noise, steps, TrainStats.EMPTY, e);
              } catch (RuntimeException | Error e) {
                trainer.close();
                throw e;
              }
            });
    Future<Ahead> old = PENDING.put(key, f);
    if (old != null) {
      close(old);
    }
  }

  /**
   * The steps a replica ran ahead for {@code round}, waiting for them; null when there are none, or
   * only stale ones (closed). The caller owns the returned replica.
   */
  static Ahead take(String key, long round) {
    Future<Ahead> f = PENDING.remove(key);
    if (f == null) {
      return null;
    }
    Ahead a = await(f);
    if (a != null && a.round() != round) {
      a.trainer().close();
      return null;
    }
    if (a != null) {
      TAKEN.incrementAndGet();
    }
    return a;
  }

  /** Rounds that found their steps run ahead here, since the JVM started. */
  static long taken() {
    return TAKEN.get();
  }

  /** Closes the replicas a finished run left running ahead on this executor. */
  static void forget(String runId) {
    List<Future<Ahead>> gone = new ArrayList<>();
    PENDING
        .entrySet()
        .removeIf(
            e -> {
              boolean ours = e.getKey().startsWith(runId + "/");
              if (ours) {
                gone.add(e.getValue());
              }
              return ours;
            });
    gone.forEach(RunAhead::close);
  }

  private static void close(Future<Ahead> f) {
    Ahead a = await(f);
    if (a != null) {
      a.trainer().close();
    }
  }

  /** The thread's result; null (logged) when it failed, its replica then closed by the thread. */
  private static Ahead await(Future<Ahead> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the steps run ahead", e);
    } catch (ExecutionException e) {
      LOG.warn("steps run ahead failed; the round runs from the global state", e.getCause());
      return null;
    }
  }
}
