package io.sparkvae.spark.fs;

import io.sparkvae.model.publish.PublishStorage;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * {@link PublishStorage} over a Hadoop {@link FileSystem} (local, HDFS, S3A...). On a checksummed
 * file system (Hadoop's local one) it works on the raw files: a file renamed over another would
 * otherwise leave a stale {@code .crc} beside it. Hadoop has no directory fsync: files are synced
 * ({@code hsync}) before they are renamed, and a rename on HDFS is durable once it returns.
 */
public final class HadoopStorage implements PublishStorage<Path> {
  private final FileSystem fs;

  HadoopStorage(FileSystem fs) {
    this.fs = raw(fs);
  }

  /** The raw file system beneath a checksummed one, or {@code fs} itself. */
  public static FileSystem raw(FileSystem fs) {
    return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
  }

  @Override
  public Path parent(Path location) {
    return location.getParent();
  }

  @Override
  public String name(Path location) {
    return location.getName();
  }

  @Override
  public Path child(Path dir, String name) {
    return new Path(dir, name);
  }

  @Override
  public boolean exists(Path location) throws IOException {
    return fs.exists(location);
  }

  @Override
  public void mkdirs(Path dir) throws IOException {
    if (!fs.mkdirs(dir) && !fs.getFileStatus(dir).isDirectory()) {
      throw new IOException("cannot create the folder " + dir);
    }
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    // Hadoop's rename moves the source *into* an existing directory: never let it.
    if (fs.exists(to)) {
      throw new FileAlreadyExistsException("cannot rename " + from + " to " + to + ": it exists");
    }
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  @Override
  public void renameOver(Path from, Path to) throws IOException {
    if (fs instanceof RawLocalFileSystem local) {
      // A checksum written by an older version would no longer match the new content.
      java.io.File crc = local.pathToFile(new Path(to.getParent(), "." + to.getName() + ".crc"));
      if (crc.isFile()) {
        Files.delete(crc.toPath());
      }
      // POSIX rename(2): the target is replaced in one step, never deleted first.
      Files.move(
          local.pathToFile(from).toPath(),
          local.pathToFile(to).toPath(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    // Atomic on HDFS; object stores have no atomic rename at all.
    FileUtil.rename(fs, from, to, Options.Rename.OVERWRITE);
  }

  @Override
  public void deleteRecursively(Path location) throws IOException {
    if (fs.exists(location) && !fs.delete(location, true) && fs.exists(location)) {
      throw new IOException("cannot delete " + location);
    }
  }

  @Override
  public List<Entry> list(Path dir) throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      entries.add(new Entry(s.getPath().getName(), s.isDirectory(), s.getModificationTime()));
    }
    return entries;
  }

  @Override
  public OutputStream create(Path file) throws IOException {
    return durable(fs.create(file, true));
  }

  /**
   * {@code stream}, which on close is made durable ({@code hsync}, a no-op where unsupported) and
   * closed.
   */
  public static OutputStream durable(FSDataOutputStream stream) {
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
          stream.hsync();
        }
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) {
    // Nothing to do: see the class comment.
  }
}
