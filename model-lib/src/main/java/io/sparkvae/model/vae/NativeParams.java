package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Copies between the flat {@code float[]} layout and one native tensor per layout entry. */
public final class NativeParams {
  private NativeParams() {}

  /**
   * Creates one tensor per layout entry from a flat array, attached to {@code manager}.
   *
   * @param dtype FLOAT32, or FLOAT64 for gradient checks
   */
  public static NDList create(NDManager manager, ParamLayout layout, float[] flat, DataType dtype) {
    checkLength(layout, flat, "parameters");
    NDList list = new NDList(layout.tensorCount());
    for (ParamLayout.Entry e : layout.entries()) {
      NDArray a = manager.create(slice(flat, e), new Shape(e.shape()), DataType.FLOAT32);
      if (dtype != DataType.FLOAT32) {
        NDArray converted = a.toType(dtype, true);
        a.close();
        a = converted;
      }
      a.setName(e.name());
      list.add(a);
    }
    return list;
  }

  /** Overwrites existing tensors in place with the values of a flat array. */
  public static void copyInto(NDList tensors, ParamLayout layout, float[] flat) {
    checkLength(layout, flat, "parameters");
    for (int i = 0; i < layout.tensorCount(); i++) {
      ParamLayout.Entry e = layout.entries().get(i);
      NDArray t = tensors.get(i);
      if (t.getDataType() == DataType.FLOAT32) {
        t.set(slice(flat, e));
      } else {
        try (NDArray a = t.getManager().create(slice(flat, e), t.getShape(), DataType.FLOAT32);
            NDArray c = a.toType(t.getDataType(), true)) {
          t.set(c.toByteBuffer());
        }
      }
    }
  }

  /** Copies tensors out into a new flat array (as float32). */
  public static float[] toFlat(NDList tensors, ParamLayout layout) {
    float[] flat = new float[layout.totalSize()];
    for (int i = 0; i < layout.tensorCount(); i++) {
      ParamLayout.Entry e = layout.entries().get(i);
      NDArray t = tensors.get(i);
      float[] values;
      if (t.getDataType() == DataType.FLOAT32) {
        values = t.toFloatArray();
      } else {
        try (NDArray c = t.toType(DataType.FLOAT32, true)) {
          values = c.toFloatArray();
        }
      }
      System.arraycopy(values, 0, flat, e.offset(), e.size());
    }
    return flat;
  }

  private static ByteBuffer slice(float[] flat, ParamLayout.Entry e) {
    // A fresh direct buffer per tensor: on CPU the native tensor may alias it, so it must not be
    // reused while the tensor lives.
    ByteBuffer bb =
        ByteBuffer.allocateDirect(e.size() * Float.BYTES).order(ByteOrder.nativeOrder());
    bb.asFloatBuffer().put(flat, e.offset(), e.size());
    return bb;
  }

  private static void checkLength(ParamLayout layout, float[] flat, String what) {
    if (flat.length != layout.totalSize()) {
      throw new IllegalArgumentException(
          what + " have " + flat.length + " values but the layout needs " + layout.totalSize());
    }
  }
}
