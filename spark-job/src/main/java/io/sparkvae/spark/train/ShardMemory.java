package io.sparkvae.spark.train;

import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Checks, before the training data are packed, that the replicas' shards can exist: a replica's
 * shard is stored in blocks ({@link io.sparkvae.model.data.RowBlocks}), so its values are bounded
 * by memory, but its rows are counted by an {@code int} (at most 2^31 − 9), and in local mode every
 * shard lives in the driver's heap. Without the check, data too large for the heap spend minutes in
 * Spark's "Failed to allocate a page" warnings and end in a bare {@code OutOfMemoryError}.
 *
 * <p>The local-mode bound is a rule of thumb: packing needs about twice the packed size (the rows
 * pass through Spark's shuffle and the shard's buffer grows while they arrive), and it must fit in
 * the memory Spark may use for storage ({@code spark.memory.fraction} of the heap). On a cluster
 * the executors may not have registered yet when training starts, so the estimate is only logged.
 */
public final class ShardMemory {
  /** The most rows one shard holds. */
  static final long MAX_ROWS = io.sparkvae.model.data.RowBlocks.MAX_ARRAY;

  private ShardMemory() {}

  /**
   * Throws naming the setting to change when {@code rows} rows of {@code dim} features cannot be
   * packed into {@code replicas} shards here.
   */
  public static void check(SparkSession spark, long rows, int dim, int replicas) {
    long perShard = (rows + replicas - 1) / replicas;
    if (perShard > MAX_ROWS) {
      long needed = (rows + MAX_ROWS - 1) / MAX_ROWS;
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%d rows in %d replicas make shards of %d"
                  + " rows, more than one shard holds (2^31): use at least --replicas %d",
              rows,
              replicas,
              perShard,
              needed));
    }
    long packed = rows * dim * 4L;
    if (!spark.sparkContext().isLocal()) {
      return;
    }
    long storage = 0;
    for (Tuple2<Object, Object> m :
        scala.jdk.javaapi.CollectionConverters.asJava(
                spark.sparkContext().getExecutorMemoryStatus())
            .values()) {
      storage += (Long) m._1();
    }
    if (2 * packed > storage) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "the training data need about %s packed as"
                  + " float32 (%d rows x %d features x 4 bytes) and about twice that while packing, but this driver's heap"
                  + " (%s) leaves Spark %s for them in local mode: raise --driver-memory (a spark-submit option of train.sh,"
                  + " or SPARKVAE_DRIVER_MEMORY; at least %s), train on fewer rows, or use a cluster with enough"
                  + " --executor-memory",
              mib(packed),
              rows,
              dim,
              mib(Runtime.getRuntime().maxMemory()),
              mib(storage),
              mib(
                  (long) (Runtime.getRuntime().maxMemory() * (2.0 * packed / storage))
                      + (300L << 20))));
    }
  }

  private static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }
}
