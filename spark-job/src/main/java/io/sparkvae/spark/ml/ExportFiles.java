package io.sparkvae.spark.ml;

import io.sparkvae.model.format.SafetensorsExport;
import io.sparkvae.model.format.TrainedVae;
import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

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
    Path t = new Path(target);
    FileSystem fs = t.getFileSystem(conf);
    if (fs.exists(t)) {
      throw new FileAlreadyExistsException(target + " already exists: choose a new export directory");
    }
    Path parent = t.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("cannot export a model as the root directory " + target);
    }
    Path tmp = new Path(parent, "." + t.getName() + ".tmp-" + UUID.randomUUID());
    if (!fs.mkdirs(tmp)) {
      throw new IOException("cannot create the directory " + tmp);
    }
    try {
      SafetensorsExport.write(model, new HadoopModelStore(fs, tmp));
      if (!fs.rename(tmp, t)) {
        throw new IOException("cannot rename " + tmp + " to " + t);
      }
    } catch (IOException | RuntimeException | Error e) {
      try {
        fs.delete(tmp, true);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }
}
