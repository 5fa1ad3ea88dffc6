package io.sparkvae.spark.train;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.LocalTrainer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicas kept alive in this executor JVM between rounds: each one's native state (parameter
 * tensors, gradient buffers, its manager, the fused Adam's arrays), so that a round does not build
 * a new replica per task. A cache, never the truth: the driver's broadcast state is loaded into
 * every replica at the start of every round, so a task that finds no replica here (first round,
 * lost or new executor, replica moved, retried or speculative task) builds one from the same state
 * and computes the same bits (tested with the cache on and off).
 *
 * <p>Keyed by run and replica index; each entry records the driver state it expects next (the round
 * after the one it finished), its device and configuration. A replica is taken out while a task
 * uses it, so two copies of one task never share it; one whose expected round, device or
 * configuration does not match is closed and rebuilt. Entries are closed on known paths: the end of
 * a run ({@link #forget}), eviction of the least recently used beyond {@link #CAPACITY}, and JVM
 * shutdown.
 */
final class ReplicaCache {
  /**
   * Spark setting that turns the cache off (true by default); read on the driver, carried per
   * round.
   */
  static final String ENABLED_CONF = "spark.sparkvae.replicaCache.enabled";

  /**
   * Replicas one JVM keeps at most: an executor runs a few replicas at a time, but one it no longer
   * runs (moved elsewhere, or of a run that ended without releasing) stays until evicted.
   */
  static final int CAPACITY = 8;

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaCache.class);

  /** A kept replica and what it is valid for. */
  private record Entry(LocalTrainer trainer, long expectsRound, Device device) {}

  /** Least recently used first; guarded by its own lock. */
  private static final LinkedHashMap<String, Entry> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);

  private static final AtomicLong HITS = new AtomicLong();
  private static final AtomicLong MISSES = new AtomicLong();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ReplicaCache::closeAll, "sparkvae-replica-cache-close"));
  }

  private ReplicaCache() {}

  private static String key(String runId, int partition) {
    return runId + "/" + partition;
  }

  /**
   * Takes the kept replica of a run's partition for round {@code round}, ready to train with {@code
   * config} on {@code device}; null when there is none or it does not match (then it is closed).
   * The caller owns the replica until it {@link #put}s it back or closes it.
   */
  static LocalTrainer take(
      String runId, int partition, long round, Device device, VaeConfig config) {
    Entry e;
    synchronized (ENTRIES) {
      e = ENTRIES.remove(key(runId, partition));
    }
    if (e != null
        && e.expectsRound() == round
        && e.device().equals(device)
        && e.trainer().adopt(config)) {
      HITS.incrementAndGet();
      return e.trainer();
    }
    MISSES.incrementAndGet();
    if (e != null) {
      e.trainer().close();
    }
    return null;
  }

  /**
   * Keeps a replica that finished round {@code round} for the next one (evicting the oldest beyond
   * capacity).
   */
  static void put(String runId, int partition, long round, Device device, LocalTrainer trainer) {
    Entry old;
    java.util.List<Entry> evicted = new java.util.ArrayList<>();
    synchronized (ENTRIES) {
      old = ENTRIES.put(key(runId, partition), new Entry(trainer, round + 1, device));
      Iterator<Map.Entry<String, Entry>> it = ENTRIES.entrySet().iterator();
      while (ENTRIES.size() - evicted.size() > CAPACITY && it.hasNext()) {
        evicted.add(it.next().getValue());
        it.remove();
      }
    }
    // Outside the lock: closing frees native memory.
    if (old != null) {
      old.trainer().close();
    }
    evicted.forEach(e -> e.trainer().close());
    if (!evicted.isEmpty()) {
      LOG.info("evicted {} kept replica(s) beyond the {} this JVM keeps", evicted.size(), CAPACITY);
    }
  }

  /** Closes the kept replicas of a run (its end). */
  static void forget(String runId) {
    java.util.List<Entry> gone = new java.util.ArrayList<>();
    synchronized (ENTRIES) {
      Iterator<Map.Entry<String, Entry>> it = ENTRIES.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, Entry> e = it.next();
        if (e.getKey().startsWith(runId + "/")) {
          gone.add(e.getValue());
          it.remove();
        }
      }
    }
    gone.forEach(e -> e.trainer().close());
  }

  /** Replicas kept now in this JVM. */
  static int size() {
    synchronized (ENTRIES) {
      return ENTRIES.size();
    }
  }

  /** Rounds that found their replica here, since the JVM started. */
  static long hits() {
    return HITS.get();
  }

  /** Rounds that built their replica (none kept, or it did not match), since the JVM started. */
  static long misses() {
    return MISSES.get();
  }

  private static void closeAll() {
    java.util.List<Entry> all;
    synchronized (ENTRIES) {
      all = new java.util.ArrayList<>(ENTRIES.values());
      ENTRIES.clear();
    }
    for (Entry e : all) {
      try {
        e.trainer().close();
      } catch (RuntimeException ex) {
        // At JVM exit the engine may be gone already: nothing left to free.
      }
    }
  }
}
