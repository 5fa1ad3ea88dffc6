package io.sparkvae.spark.ml;

import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.ModelStore;
import io.sparkvae.model.format.TrainedVae;
import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A {@link ModelStore} over a directory of any Hadoop {@link FileSystem} (local, HDFS, S3A, ...),
 * so the Spark ML writer stores exactly the files of model-lib's {@link ModelFormat}: a model saved
 * here loads with {@link ModelFormat#load(java.nio.file.Path)} when the directory is local.
 *
 * <p>{@link #save} publishes a whole model with one rename of a temporary sibling directory, so a
 * reader (or a crash) never sees half a model.
 */
public final class HadoopModelStore implements ModelStore {
  private final FileSystem fs;
  private final Path dir;

  /**
   * A store over the existing directory {@code dir} of {@code fs}. On a checksummed file system
   * (Hadoop's local one) the store reads and writes the raw files: {@code model.json} stays
   * hand-editable without a stale {@code .crc} beside it, and {@code parameters.bin} carries its
   * own SHA-256 in {@code model.json}.
   */
  public HadoopModelStore(FileSystem fs, Path dir) {
    Objects.requireNonNull(fs, "fs");
    this.fs = raw(fs);
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** A store over {@code dir}, on the file system its URI names. */
  public static HadoopModelStore of(String dir, Configuration conf) throws IOException {
    Path p = new Path(dir);
    return new HadoopModelStore(p.getFileSystem(conf), p);
  }

  private Path resolve(String name) {
    // Names come from model.json when reading: never let one escape the model's directory.
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\\') >= 0
        || name.indexOf(':') >= 0
        || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a plain file name: '" + name + "'");
    }
    return new Path(dir, name);
  }

  @Override
  public OutputStream create(String name) throws IOException {
    FSDataOutputStream stream = fs.create(resolve(name), true);
    return new FilterOutputStream(stream) {
      private boolean closed;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        try (stream) {
          // Durable before the rename that publishes the model (a no-op where unsupported).
          stream.hsync();
        }
      }
    };
  }

  @Override
  public InputStream open(String name) throws IOException {
    return fs.open(resolve(name));
  }

  @Override
  public boolean exists(String name) throws IOException {
    return fs.exists(resolve(name));
  }

  @Override
  public long size(String name) throws IOException {
    try {
      return fs.getFileStatus(resolve(name)).getLen();
    } catch (FileNotFoundException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }

  private static FileSystem raw(FileSystem fs) {
    return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
  }

  /**
   * Writes a model as the directory {@code target}: into a hidden temporary sibling first, then one
   * rename. On failure the temporary is deleted and {@code target} does not exist.
   *
   * @throws FileAlreadyExistsException when {@code target} exists
   * @throws IllegalArgumentException when a parameter is NaN or infinite (nothing is written)
   */
  public static void save(TrainedVae model, String target, Configuration conf) throws IOException {
    model.requireFinite();
    publish(target, conf, "save a model",
        () -> new FileAlreadyExistsException(target, null, "a model (or other file) already exists there"),
        store -> ModelFormat.write(model, store));
  }

  /** Writes files into a store (a model's, or its export's). */
  @FunctionalInterface
  interface Contents {
    void writeTo(ModelStore store) throws IOException;
  }

  /**
   * Publishes {@code contents} as the new directory {@code target}: written into a hidden temporary
   * sibling, then one rename; on failure the temporary is deleted and {@code target} does not exist.
   *
   * @param what "save a model", "export a model": for the message when target is the root
   * @param exists the exception when {@code target} exists already
   */
  static void publish(String target, Configuration conf, String what,
      java.util.function.Supplier<? extends IOException> exists, Contents contents) throws IOException {
    Path t = new Path(target);
    FileSystem fs = raw(t.getFileSystem(conf));
    if (fs.exists(t)) {
      throw exists.get();
    }
    Path parent = t.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("cannot " + what + " as the root directory " + target);
    }
    Path tmp = new Path(parent, "." + t.getName() + ".tmp-" + UUID.randomUUID());
    if (!fs.mkdirs(tmp)) {
      throw new IOException("cannot create the directory " + tmp);
    }
    try {
      contents.writeTo(new HadoopModelStore(fs, tmp));
      // rename moves the source *into* an existing directory: checked above, and a lost race
      // shows as a false return.
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

  /**
   * Reads the model in the directory {@code dir}.
   *
   * @throws IOException when it is missing, unreadable or corrupted; the message names the file
   */
  public static TrainedVae load(String dir, Configuration conf) throws IOException {
    HadoopModelStore store = of(dir, conf);
    if (!store.fs.exists(store.dir)) {
      throw new FileNotFoundException("no SparkVAE model at " + dir + ": it does not exist");
    }
    return ModelFormat.read(store, dir);
  }
}
