package io.sparkvae.spark.serde;

import com.esotericsoftware.kryo.Kryo;
import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.averaging.Divergence;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.spark.train.ExecutorJit;
import io.sparkvae.spark.train.PackedShard;
import io.sparkvae.spark.train.ReplicaResult;
import io.sparkvae.spark.train.RoundInput;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers every SparkVAE class that crosses the wire or sits in Spark's serialized cache, so jobs
 * work with {@code spark.kryo.registrationRequired=true}. Everything registered here is plain Java
 * data: no DJL object is ever serialized.
 */
public final class SparkVaeKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(PackedShard.class);
    kryo.register(io.sparkvae.model.data.RowBlocks.class);
    kryo.register(float[][].class); // a shard's blocks
    kryo.register(io.sparkvae.spark.train.BadRows.class);
    registerRecord(kryo, ReplicaResult.class);
    registerRecord(kryo, RoundInput.class);
    registerRecord(kryo, RoundInput.Overlap.class);
    registerRecord(kryo, io.sparkvae.spark.train.ReplicaMoments.class);
    kryo.register(io.sparkvae.spark.train.ReplicaMoments[].class);
    kryo.register(TrainingState.class);
    registerRecord(kryo, TrainStats.class);
    kryo.register(AveragingSums.class);
    registerRecord(kryo, Divergence.class);
    registerRecord(kryo, ExecutorJit.Reading.class);
    registerRecord(kryo, Evaluation.Result.class);
    kryo.register(VaeConfig.class);
    // VaeConfig's choices (Kryo writes an enum as its ordinal; a constant with a body is its
    // enum's).
    kryo.register(io.sparkvae.model.vae.HiddenActivation.class);
    kryo.register(io.sparkvae.model.vae.LikelihoodKind.class);
    kryo.register(io.sparkvae.model.vae.GaussianVariance.class);
    kryo.register(io.sparkvae.model.vae.KlEstimator.class);
    // Tabular schemas ride inside VaeConfig, and the schema fitter is a treeAggregate's result:
    // both
    // hold immutable JDK collections, which Java serialization (small objects, once per task)
    // handles.
    kryo.register(
        io.sparkvae.model.tabular.TabularSchema.class,
        new com.esotericsoftware.kryo.serializers.JavaSerializer());
    kryo.register(
        io.sparkvae.model.tabular.TabularFitter.class,
        new com.esotericsoftware.kryo.serializers.JavaSerializer());
    kryo.register(float[].class);
    kryo.register(double[].class);
    kryo.register(int[].class);
    kryo.register(long[].class);
    kryo.register(String.class);
    // ML vectors: reading and writing vector columns (Parquet scans ship the schema, UDT included).
    kryo.register(org.apache.spark.ml.linalg.VectorUDT.class);
    kryo.register(org.apache.spark.ml.linalg.DenseVector.class);
    kryo.register(org.apache.spark.ml.linalg.SparseVector.class);
    // array<float> and array<double> features columns: their type travels in the same schemas.
    kryo.register(org.apache.spark.sql.types.ArrayType.class);
    // Tabular input columns: the scans of their types ship them in the same schemas.
    for (String type :
        new String[] {
          "TimestampType$",
          "TimestampNTZType$",
          "StringType$",
          "StringType",
          "BooleanType$",
          "IntegerType$",
          "ShortType$",
          "ByteType$",
          "FloatType$",
          "DateType$",
          "DecimalType"
        }) {
      try {
        kryo.register(Class.forName("org.apache.spark.sql.types." + type));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("Spark has no type class " + type, e);
      }
    }
  }

  private static <T extends Record> void registerRecord(Kryo kryo, Class<T> type) {
    kryo.register(type, new RecordSerializer<>(type));
  }
}
