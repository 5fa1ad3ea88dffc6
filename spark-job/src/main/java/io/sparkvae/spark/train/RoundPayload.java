package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import org.apache.spark.SparkEnv;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The bytes one averaging round moves, measured with the session's own serializer: the broadcast
 * round input, plus one partial sum per replica coming back (each partition's sum holds a single
 * replica's state, so every replica sends the size measured here). With local moments, the moments
 * broadcast once per run are not counted: they do not travel every round.
 */
final class RoundPayload {
  private RoundPayload() {}

  /**
   * @param sent the round input as broadcast
   * @param state the global state (a replica's result has its size)
   */
  static long bytes(RoundInput sent, TrainingState state, int replicas, boolean withMoments) {
    SerializerInstance ser = SparkEnv.get().serializer().newInstance();
    long broadcast = size(ser, sent, RoundInput.class);
    AveragingSums one = new AveragingSums().add(state, 1, withMoments, TrainStats.EMPTY);
    return broadcast + replicas * size(ser, one, AveragingSums.class);
  }

  private static <T> long size(SerializerInstance ser, T value, Class<T> type) {
    ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
    return ser.serialize(value, tag).remaining();
  }
}
