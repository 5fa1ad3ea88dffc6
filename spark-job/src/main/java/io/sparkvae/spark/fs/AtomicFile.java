package io.sparkvae.spark.fs;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Replaces one file through Hadoop's FileSystem so that a reader sees the old content or the new,
 * never half a file: the bytes go to a hidden temporary sibling ({@code .name.tmp}), which is renamed
 * over the target once complete. A crash leaves the previous file in place.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes {@code bytes} as {@code target}, creating its parent folder if needed. */
  public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
    Path parent = target.getParent();
    if (parent != null) {
      fs.mkdirs(parent);
    }
    Path tmp = new Path(parent, "." + target.getName() + ".tmp");
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    if (fs.exists(target) && !fs.delete(target, false)) {
      throw new IOException("cannot replace " + target);
    }
    if (!fs.rename(tmp, target)) {
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }
}
