package io.sparkvae.model.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sparkvae.model.config.VaeConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flat layout to native tensors and back is exact, in float32 and float64. */
class NativeParamsTest {
  @Test
  void flattenUnflattenRoundTripIsExact() {
    VaeConfig c =
        VaeConfig.builder()
            .inputDim(7)
            .encoderHidden(5, 4)
            .decoderHidden(3)
            .latentDim(2)
            .likelihood(LikelihoodKind.GAUSSIAN)
            .build();
    ParamLayout layout = ParamLayout.of(c);
    SplittableRandom r = new SplittableRandom(1);
    float[] flat = new float[layout.totalSize()];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30)));
    }
    flat[0] = Float.MIN_VALUE;
    flat[1] = -0.0f;
    try (NDManager m = NDManager.newBaseManager()) {
      for (DataType t : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
        NDList tensors = NativeParams.create(m, layout, flat, t);
        assertEquals(layout.tensorCount(), tensors.size());
        for (int i = 0; i < layout.tensorCount(); i++) {
          assertEquals(
              new ai.djl.ndarray.types.Shape(layout.entries().get(i).shape()),
              tensors.get(i).getShape());
        }
        assertArrayEquals(flat, NativeParams.toFlat(tensors, layout), "round trip through " + t);
        float[] other = flat.clone();
        other[5] = 42f;
        NativeParams.copyInto(tensors, layout, other);
        assertArrayEquals(other, NativeParams.toFlat(tensors, layout), "copyInto through " + t);
      }
      assertThrows(
          IllegalArgumentException.class,
          () -> NativeParams.create(m, layout, new float[3], DataType.FLOAT32));
    }
  }
}
