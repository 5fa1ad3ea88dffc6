package io.sparkvae.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.spark.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Real MNIST through the distributed trainer in {@code local[2]}. */
class DistributedMnistTest {
  static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset d) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < d.rows(); i++) {
      float[] f = new float[d.dim()];
      System.arraycopy(d.features(), i * d.dim(), f, 0, d.dim());
      rows.add(RowFactory.create(toSeq(f)));
    }
    StructType schema =
        new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType, false));
    return spark.createDataFrame(rows, schema);
  }

  static Object toSeq(float[] f) {
    List<Float> l = new ArrayList<>(f.length);
    for (float x : f) {
      l.add(x);
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
  }

  static Path mnistDir() {
    return Path.of(System.getProperty("sparkvae.data.dir", "data"), "mnist");
  }

  @Test
  void validationElboFallsClearlyOnAFewThousandImages() throws Exception {
    Dataset train = Dataset.mnist(mnistDir(), true).head(4000);
    Dataset val = Dataset.mnist(mnistDir(), false).head(1000);
    // rpc.message.maxSize=1 MiB: the 2.8 MB of parameters would not fit in a task closure, so the
    // run passes only if parameters travel by broadcast and results by the block manager.
    SparkSession spark =
        SparkTestSession.start("DistributedMnistTest", Map.of("spark.rpc.message.maxSize", "1"));
    try {
      VaeConfig config = VaeConfig.defaults();
      DistributedConfig dist =
          DistributedConfig.builder().replicas(2).averagingSteps(4).epochs(2).build();
      TrainingResult r =
          new DistributedTrainer(config, dist, "features")
              .fit(TrainingRequest.of(frame(spark, train)).validation(frame(spark, val)));
      assertEquals(2, r.history().size());
      double first = r.history().get(0).valNegElbo();
      double second = r.history().get(1).valNegElbo();
      // A fresh model scores ~540 nats; two passes over 4000 images bring it well under 250.
      assertTrue(
          second < 250 && second < first, "validation -ELBO per epoch: " + first + ", " + second);
      assertEquals(4000, r.history().get(1).examples());
      // scaleOut=auto: batchSize 256 shared by the 2 replicas, 128 each.
      assertEquals(
          2 * 16, r.state().step(), "2000 rows per shard: 16 minibatches of 128 per epoch");
    } finally {
      spark.stop();
    }
  }
}
