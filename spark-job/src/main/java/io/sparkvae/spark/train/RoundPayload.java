package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.train.TrainStats;
import org.apache.spark.SparkEnv;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The bytes one averaging round moves, measured with the session's own serializer: the broadcast
 * round input, plus one partial sum per replica coming back (each partition's sum holds a single
 * replica's state, so every replica sends the size measured here).
 */
final class RoundPayload {
  private RoundPayload() {}

  static long bytes(RoundInput input, int replicas, boolean withMoments) {
    SerializerInstance ser = SparkEnv.get().serializer().newInstance();
    long broadcast = size(ser, input, RoundInput.class);
    AveragingSums one = new AveragingSums().add(input.state(), 1, withMoments, TrainStats.EMPTY);
    return broadcast + replicas * size(ser, one, AveragingSums.class);
  }

  private static <T> long size(SerializerInstance ser, T value, Class<T> type) {
    ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
    return ser.serialize(value, tag).remaining();
  }
}
