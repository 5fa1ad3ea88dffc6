package io.sparkvae.spark.ml;

import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.ModelStore;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.fs.HadoopPublisher;
import io.sparkvae.spark.fs.HadoopStorage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A {@link ModelStore} over a directory of any Hadoop {@link FileSystem} (local, HDFS, S3A, ...),
 * so the Spark ML writer stores exactly the files of model-lib's {@link ModelFormat}: a model saved
 * here loads with {@link ModelFormat#load(java.nio.file.Path)} when the directory is local.
 *
 * <p>{@link #save} publishes a whole model through {@link HadoopPublisher}, so a reader (or a
 * crash) never sees half a model.
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
    this.fs = HadoopStorage.raw(fs);
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
    // Durable before the rename that publishes the model.
    return HadoopStorage.durable(fs.create(resolve(name), true));
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

  /**
   * Writes a model as the directory {@code target}: into a hidden temporary sibling first, then one
   * rename. On failure the temporary is deleted and {@code target} does not exist.
   *
   * @throws FileAlreadyExistsException when {@code target} exists
   * @throws IllegalArgumentException when a parameter is NaN or infinite (nothing is written)
   */
  public static void save(TrainedVae model, String target, Configuration conf) throws IOException {
    model.requireFinite();
    publish(
        target,
        conf,
        "save a model",
        () ->
            new FileAlreadyExistsException(
                target, null, "a model (or other file) already exists there"),
        store -> ModelFormat.write(model, store));
  }

  /** Writes files into a store (a model's, or its export's). */
  @FunctionalInterface
  interface Contents {
    void writeTo(ModelStore store) throws IOException;
  }

  /**
   * Publishes {@code contents} as the new directory {@code target} ({@link
   * HadoopPublisher#create}): written into a hidden staging sibling, then one rename; on failure
   * the staging directory is deleted and {@code target} does not exist.
   *
   * @param what "save a model", "export a model": for the message when target is the root
   * @param exists the exception when {@code target} exists already
   */
  static void publish(
      String target,
      Configuration conf,
      String what,
      java.util.function.Supplier<? extends IOException> exists,
      Contents contents)
      throws IOException {
    FileSystem fs = HadoopStorage.raw(new Path(target).getFileSystem(conf));
    HadoopPublisher.create(
        target,
        conf,
        what,
        exists,
        staging -> {
          if (!fs.mkdirs(staging)) {
            throw new IOException("cannot create the directory " + staging);
          }
          contents.writeTo(new HadoopModelStore(fs, staging));
        });
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
