package io.sparkvae.model.format;

import static io.sparkvae.model.config.ExactJson.array;
import static io.sparkvae.model.config.ExactJson.int32;
import static io.sparkvae.model.config.ExactJson.object;
import static io.sparkvae.model.config.ExactJson.string;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonWriter;
import io.sparkvae.model.vae.ParamLayout;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code parameters.tensors} list of a {@code model.json} ({@link ModelFormat}): each tensor's
 * name, shape and offset in {@code parameters.bin}. It is redundant with {@link ParamLayout#of}: it
 * lets tools outside SparkVAE slice the parameters, and reading requires it to equal the layout, so
 * a layout change that forgot to bump the format version fails loudly.
 */
final class TensorList {
  private TensorList() {}

  /** Writes the list of {@code layout}'s tensors as a JSON array. */
  static void write(JsonWriter w, ParamLayout layout) throws IOException {
    w.beginArray();
    for (ParamLayout.Entry e : layout.entries()) {
      w.beginObject();
      w.name("name").value(e.name());
      w.name("shape").beginArray();
      for (long d : e.shape()) {
        w.value(d);
      }
      w.endArray();
      w.name("offset").value(e.offset());
      w.endObject();
    }
    w.endArray();
  }

  /**
   * Throws, naming the first differing tensor, unless {@code tensors} lists exactly {@code
   * layout}'s tensors.
   */
  static void check(JsonArray tensors, ParamLayout layout) {
    List<ParamLayout.Entry> expected = layout.entries();
    for (int i = 0; i < Math.max(tensors.size(), expected.size()); i++) {
      if (i >= tensors.size()) {
        throw new IllegalArgumentException(
            "parameters.tensors lists "
                + tensors.size()
                + " tensors but the config has "
                + expected.size()
                + "; tensor "
                + expected.get(i).name()
                + " is missing");
      }
      String what = "parameters.tensors[" + i + "]";
      JsonObject t = object(tensors.get(i), what);
      String name = string(t.get("name"), what + ".name");
      if (i >= expected.size()) {
        throw new IllegalArgumentException(
            "parameters.tensors lists "
                + tensors.size()
                + " tensors but the config has "
                + expected.size()
                + "; tensor "
                + name
                + " is extra");
      }
      JsonArray shapeJson = array(t.get("shape"), what + ".shape");
      long[] shape = new long[shapeJson.size()];
      for (int k = 0; k < shape.length; k++) {
        shape[k] = int32(shapeJson.get(k), what + ".shape[" + k + "]");
      }
      int offset = int32(t.get("offset"), what + ".offset");
      ParamLayout.Entry e = expected.get(i);
      if (!name.equals(e.name()) || !Arrays.equals(shape, e.shape()) || offset != e.offset()) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + " ("
                + what
                + ") has shape "
                + Arrays.toString(shape)
                + " at offset "
                + offset
                + " but the config's layout has "
                + e.name()
                + " with shape "
                + Arrays.toString(e.shape())
                + " at offset "
                + e.offset());
      }
    }
  }
}
