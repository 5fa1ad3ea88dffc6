package io.sparkvae.spark.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Replaces one file through Hadoop's FileSystem so that a reader sees the old content or the new,
 * never half a file and never no file: the bytes go to a hidden temporary sibling ({@code
 * .name.tmp}), which is renamed over the target once complete. The target is never deleted first:
 * on a local disk the rename is POSIX {@code rename(2)}, which replaces atomically; elsewhere it is
 * Hadoop's overwriting rename (atomic on HDFS; object stores have no atomic rename at all). A crash
 * therefore leaves the previous file in place.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes {@code bytes} as {@code target}, creating its parent folder if needed. */
  public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
    // The raw local file system: no .crc sibling that would go stale when the file is renamed.
    FileSystem raw = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    Path parent = target.getParent();
    if (parent != null) {
      raw.mkdirs(parent);
    }
    Path tmp = new Path(parent, "." + target.getName() + ".tmp");
    try (OutputStream out = raw.create(tmp, true)) {
      out.write(bytes);
    }
    replace(raw, tmp, target);
  }

  /** Renames {@code source} over {@code target}, replacing it in one step where the file system can. */
  static void replace(FileSystem raw, Path source, Path target) throws IOException {
    if (raw instanceof RawLocalFileSystem local) {
      // A checksum written by an older version would no longer match the new content.
      Path crc = new Path(target.getParent(), "." + target.getName() + ".crc");
      java.io.File crcFile = local.pathToFile(crc);
      if (crcFile.isFile()) {
        Files.delete(crcFile.toPath());
      }
      Files.move(local.pathToFile(source).toPath(), local.pathToFile(target).toPath(),
          StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    FileUtil.rename(raw, source, target, Options.Rename.OVERWRITE);
  }
}
