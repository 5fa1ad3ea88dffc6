package io.sparkvae.model.format;

import com.google.gson.stream.JsonWriter;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.ParamLayout;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Exports a trained VAE for tools outside the JVM: {@value #WEIGHTS}, the parameters in the <a
 * href="https://github.com/huggingface/safetensors">safetensors</a> format with PyTorch-style
 * names, and {@value #CONFIG}, the configuration, the name mapping and the model's metadata
 * (training history included). PyTorch's {@code safetensors.torch.load_file} and numpy's {@code
 * safetensors.numpy.load_file} read the weights; the Python package {@code sparkvae} builds the
 * encoder and decoder from both files.
 *
 * <p>Names: encoder hidden layer {@code i} (from 1, input side first) is {@code encoder.fc<i>}, the
 * posterior mean and log-scale layers {@code encoder.fc_loc} and {@code encoder.fc_log_scale},
 * decoder hidden layer {@code i} {@code decoder.fc<i>}, the output layer {@code decoder.fc_out}
 * (Bernoulli logits or Gaussian means) and a learned Gaussian log-std {@code decoder.log_std}; each
 * layer has {@code .weight [out, in]} and {@code .bias [out]} as {@code torch.nn.Linear}. Values
 * are float32, little-endian, exactly the model's parameters.
 *
 * <p>safetensors: 8 bytes (little-endian unsigned length N), N bytes of JSON header (padded with
 * spaces to a multiple of 8) mapping each name to {@code dtype}, {@code shape} and {@code
 * data_offsets} into the data that follows, plus {@code __metadata__} (strings only: the format,
 * its version and the config as JSON text).
 */
public final class SafetensorsExport {
  /** File name of the weights. */
  public static final String WEIGHTS = "model.safetensors";

  /** File name of the configuration. */
  public static final String CONFIG = "config.json";

  /** The {@code format} field of {@value #CONFIG}. */
  public static final String FORMAT_NAME = "sparkvae-vae-export";

  /** Version of the export; a reader rejects versions it does not know. */
  public static final int FORMAT_VERSION = 1;

  private SafetensorsExport() {}

  /** The PyTorch-style name of a {@link ParamLayout} entry (see the class comment). */
  public static String torchName(String layoutName) {
    String[] parts = layoutName.split("\\.");
    String suffix = parts.length == 3 ? "." + parts[2] : "";
    String layer = parts[0] + "." + parts[1];
    String mapped;
    if (layer.equals("enc.loc")) {
      mapped = "encoder.fc_loc";
    } else if (layer.equals("enc.scale")) {
      mapped = "encoder.fc_log_scale";
    } else if (layer.equals("dec.out")) {
      mapped = "decoder.fc_out";
    } else if (layer.equals("dec.logStd")) {
      mapped = "decoder.log_std";
    } else if (layer.equals("tab.logStd")) {
      // The tabular likelihood's per-numeric-column log-std (its schema is in model.json).
      mapped = "tabular.numeric_log_std";
    } else if (parts[1].startsWith("h") && (parts[0].equals("enc") || parts[0].equals("dec"))) {
      int i = Integer.parseInt(parts[1].substring(1));
      mapped = (parts[0].equals("enc") ? "encoder" : "decoder") + ".fc" + (i + 1);
    } else {
      throw new IllegalArgumentException("no PyTorch name for parameter " + layoutName);
    }
    return mapped + suffix;
  }

  /**
   * Writes {@value #WEIGHTS} and then {@value #CONFIG} into {@code store}.
   *
   * @throws IllegalArgumentException when a parameter is NaN or infinite (nothing is written)
   */
  public static void write(TrainedVae model, ModelStore store) throws IOException {
    model.requireFinite();
    try (OutputStream out = new BufferedOutputStream(store.create(WEIGHTS), 1 << 16)) {
      writeWeights(model, out);
    }
    try (OutputStream out = store.create(CONFIG)) {
      out.write(configJson(model));
    }
  }

  private static void writeWeights(TrainedVae model, OutputStream out) throws IOException {
    byte[] header = header(model);
    ByteBuffer len =
        ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
    out.write(len.array());
    out.write(header);
    float[] p = model.paramsNoCopy();
    // The layout's order is the data's order: offsets in the header are the layout's offsets.
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : p) {
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(v);
    }
    out.write(buf.array(), 0, buf.position());
  }

  private static byte[] header(TrainedVae model) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonWriter w = new JsonWriter(text)) {
      w.beginObject();
      w.name("__metadata__").beginObject();
      w.name("format").value(FORMAT_NAME);
      w.name("formatVersion").value(String.valueOf(FORMAT_VERSION));
      w.name("config").value(configText(model));
      w.endObject();
      for (ParamLayout.Entry e : model.layout().entries()) {
        w.name(torchName(e.name())).beginObject();
        w.name("dtype").value("F32");
        w.name("shape").beginArray();
        for (long d : e.shape()) {
          w.value(d);
        }
        w.endArray();
        w.name("data_offsets").beginArray();
        w.value((long) e.offset() * Float.BYTES)
            .value((long) (e.offset() + e.size()) * Float.BYTES);
        w.endArray();
        w.endObject();
      }
      w.endObject();
    }
    StringBuilder s = new StringBuilder(text.toString());
    // The data should start 8-byte aligned; the format allows trailing spaces in the header.
    while ((Long.BYTES + s.length()) % 8 != 0) {
      s.append(' ');
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String configText(TrainedVae model) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonWriter w = new JsonWriter(text)) {
      writeConfig(w, model);
    }
    return text.toString();
  }

  private static void writeConfig(JsonWriter w, TrainedVae model) throws IOException {
    VaeConfig.SCHEMA.writeJson(w, model.config());
  }

  /** {@value #CONFIG}: format, version, config, the name mapping and the model's metadata. */
  static byte[] configJson(TrainedVae model) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonWriter w = new JsonWriter(text)) {
      w.setIndent("  ");
      w.beginObject();
      w.name("format").value(FORMAT_NAME);
      w.name("formatVersion").value(FORMAT_VERSION);
      w.name("weights").value(WEIGHTS);
      w.name("config");
      writeConfig(w, model);
      w.name("tensors").beginObject();
      for (ParamLayout.Entry e : model.layout().entries()) {
        w.name(torchName(e.name())).value(e.name());
      }
      w.endObject();
      w.name("metadata").beginObject();
      for (Map.Entry<String, String> e : model.metadata().entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject();
      w.endObject();
    }
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
