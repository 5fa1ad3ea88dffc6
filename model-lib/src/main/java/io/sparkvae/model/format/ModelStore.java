package io.sparkvae.model.format;

import io.sparkvae.model.publish.LocalStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The flat set of named files that make up one saved model, wherever they are stored. {@link
 * ModelFormat} reads and writes only through this interface, so model-lib can write to a local
 * directory ({@link #directory(Path)}) while spark-job writes the same bytes through Hadoop's
 * {@code FileSystem} (HDFS, S3, ...) without model-lib knowing of Hadoop.
 *
 * <p>Names are plain file names such as {@code model.json}: no directories, no separators.
 */
public interface ModelStore {
  /**
   * Creates (or truncates) the named file for writing. The caller closes the stream; an
   * implementation should make the bytes durable by the time {@code close()} returns (fsync), since
   * the atomic rename that publishes a model is only as good as the data beneath it.
   */
  OutputStream create(String name) throws IOException;

  /**
   * Opens the named file for reading.
   *
   * @throws java.io.FileNotFoundException or {@link java.nio.file.NoSuchFileException} when it is
   *     absent
   */
  InputStream open(String name) throws IOException;

  /** True when the named file exists. */
  boolean exists(String name) throws IOException;

  /**
   * The size of the named file in bytes, or -1 when the store cannot tell cheaply. Readers use it
   * to reject a truncated or padded file before allocating anything for its contents; without it
   * they still never allocate more than the bytes that actually arrive.
   */
  default long size(String name) throws IOException {
    return -1;
  }

  /**
   * A store over a local directory, which must already exist. Files written through it are forced
   * to disk when their stream is closed.
   */
  static ModelStore directory(Path dir) {
    return new DirectoryStore(dir);
  }

  /** The local-directory store; each file is fsynced when its stream is closed. */
  final class DirectoryStore implements ModelStore {
    private final Path dir;

    private DirectoryStore(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    private Path resolve(String name) {
      // A name with separators or ".." could escape the model directory: a corrupted or hostile
      // model.json must never make us read or write elsewhere.
      if (name.isEmpty()
          || name.equals(".")
          || name.equals("..")
          || name.indexOf('/') >= 0
          || name.indexOf('\\') >= 0
          || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("not a plain file name: '" + name + "'");
      }
      return dir.resolve(name);
    }

    @Override
    public OutputStream create(String name) throws IOException {
      return LocalStorage.createDurable(resolve(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
      return Files.newInputStream(resolve(name));
    }

    @Override
    public boolean exists(String name) {
      return Files.exists(resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public long size(String name) throws IOException {
      return Files.size(resolve(name));
    }

    @Override
    public String toString() {
      return dir.toString();
    }
  }
}
