package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.spark.SparkTestSession;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Data too large for the shards fail before packing, naming the setting to change. */
class ShardMemoryTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("ShardMemoryTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void dataLargerThanTheLocalDriverCanHoldNameDriverMemory() {
    // 600,000 MNIST rows, the case: 1.9 GB packed, more than this test JVM's heap allows.
    long rows = Runtime.getRuntime().maxMemory() / (784 * 4) * 2;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ShardMemory.check(spark, rows, 784, 8));
    assertTrue(e.getMessage().contains("raise --driver-memory"), e.getMessage());
    ShardMemory.check(spark, 60_000 / 100, 784, 8);
  }

  @Test
  void aShardOfMoreThan2To31ValuesIsStoredInBlocksButMoreThan2To31RowsNamesTheReplicasNeeded() {
    // 10,000,000 rows of 784 in 2 replicas: 3.9e9 values a shard, beyond one Java array but not
    // beyond blocks; what refuses it here is this JVM's heap, not the array index.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ShardMemory.check(spark, 10_000_000L, 784, 2));
    assertTrue(e.getMessage().contains("raise --driver-memory"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> ShardMemory.check(spark, 5_000_000_000L, 1, 2));
    assertTrue(e.getMessage().endsWith("use at least --replicas 3"), e.getMessage());
  }
}
