package io.sparkvae.spark.ml;

import io.sparkvae.model.format.SafetensorsExport;
import io.sparkvae.model.format.TrainedVae;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;

/**
 * Writes a model's {@link SafetensorsExport} files as a new directory of any Hadoop file system,
 * atomically: into a hidden temporary sibling, then one rename.
 */
final class ExportFiles {
  private ExportFiles() {}

  /**
   * Writes {@code model.safetensors} and {@code config.json} as the directory {@code target}.
   *
   * @throws FileAlreadyExistsException when {@code target} exists
   */
  static void save(TrainedVae model, String target, Configuration conf) throws IOException {
    HadoopModelStore.publish(
        target,
        conf,
        "export a model",
        () ->
            new FileAlreadyExistsException(
                target + " already exists: choose a new export directory"),
        store -> SafetensorsExport.write(model, store));
  }
}
