package io.sparkvae.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sparkvae.model.vae.ParamLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors export: byte layout, names, offsets, values and the config file. */
class SafetensorsExportTest {
  @TempDir Path dir;

  @Test
  void namesFollowPyTorchConventions() {
    assertEquals("encoder.fc1.weight", SafetensorsExport.torchName("enc.h0.weight"));
    assertEquals("encoder.fc2.bias", SafetensorsExport.torchName("enc.h1.bias"));
    assertEquals("encoder.fc_loc.weight", SafetensorsExport.torchName("enc.loc.weight"));
    assertEquals("encoder.fc_log_scale.bias", SafetensorsExport.torchName("enc.scale.bias"));
    assertEquals("decoder.fc1.weight", SafetensorsExport.torchName("dec.h0.weight"));
    assertEquals("decoder.fc_out.bias", SafetensorsExport.torchName("dec.out.bias"));
    assertEquals("decoder.log_std", SafetensorsExport.torchName("dec.logStd"));
    assertThrows(IllegalArgumentException.class, () -> SafetensorsExport.torchName("x.y.z"));
  }

  @Test
  void writesEveryTensorAtItsOffsetWithItsValues() throws Exception {
    TrainedVae model = GoldenModelWriter.formatV1Model();
    SafetensorsExport.write(model, ModelStore.directory(dir));
    byte[] file = Files.readAllBytes(dir.resolve(SafetensorsExport.WEIGHTS));
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertEquals(0, (8 + n) % 8, "data is 8-byte aligned");
    JsonObject header =
        JsonParser.parseString(new String(file, 8, (int) n, StandardCharsets.UTF_8))
            .getAsJsonObject();
    int dataStart = 8 + (int) n;
    assertEquals(
        file.length - dataStart, model.paramCount() * Float.BYTES, "no holes, no trailing bytes");

    JsonObject meta = header.getAsJsonObject("__metadata__");
    assertEquals(SafetensorsExport.FORMAT_NAME, meta.get("format").getAsString());
    JsonObject config = JsonParser.parseString(meta.get("config").getAsString()).getAsJsonObject();
    assertEquals(6, config.get("inputDim").getAsInt());

    float[] params = model.params();
    List<String> names = new ArrayList<>();
    for (ParamLayout.Entry e : model.layout().entries()) {
      String name = SafetensorsExport.torchName(e.name());
      names.add(name);
      JsonObject t = header.getAsJsonObject(name);
      assertEquals("F32", t.get("dtype").getAsString());
      JsonArray shape = t.getAsJsonArray("shape");
      long[] s = new long[shape.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = shape.get(i).getAsLong();
      }
      assertArrayEquals(e.shape(), s, name);
      JsonArray off = t.getAsJsonArray("data_offsets");
      int begin = off.get(0).getAsInt();
      int end = off.get(1).getAsInt();
      assertEquals(e.size() * Float.BYTES, end - begin, name);
      for (int i = 0; i < e.size(); i++) {
        assertEquals(
            params[e.offset() + i],
            b.getFloat(dataStart + begin + i * Float.BYTES),
            name + "[" + i + "]");
      }
    }
    assertEquals(names.size() + 1, header.size(), "one entry per tensor plus __metadata__");
    assertEquals(true, names.contains("decoder.log_std"));

    JsonObject cfg =
        JsonParser.parseString(Files.readString(dir.resolve(SafetensorsExport.CONFIG)))
            .getAsJsonObject();
    assertEquals(SafetensorsExport.FORMAT_VERSION, cfg.get("formatVersion").getAsInt());
    assertEquals("gaussian", cfg.getAsJsonObject("config").get("likelihood").getAsString());
    assertEquals(
        "enc.h0.weight", cfg.getAsJsonObject("tensors").get("encoder.fc1.weight").getAsString());
    assertEquals("0", cfg.getAsJsonObject("metadata").get("epochs").getAsString());
  }

  @Test
  void refusesNonFiniteParameters() {
    TrainedVae good = GoldenModelWriter.formatV1Model();
    float[] p = good.params();
    p[3] = Float.NaN;
    TrainedVae bad = new TrainedVae(good.config(), p, good.metadata());
    assertThrows(
        IllegalArgumentException.class,
        () -> SafetensorsExport.write(bad, ModelStore.directory(dir)));
    assertEquals(false, Files.exists(dir.resolve(SafetensorsExport.WEIGHTS)));
  }
}
