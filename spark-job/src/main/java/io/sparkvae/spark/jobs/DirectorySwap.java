package io.sparkvae.spark.jobs;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a directory output so that readers see either the old complete output or the new one:
 * the writer fills a hidden staging sibling, which is renamed into place after the write succeeded;
 * an existing output is renamed aside first and deleted after the swap. On failure the staging
 * directory is removed and the previous output is left as it was.
 */
public final class DirectorySwap {
  /** Writes into a staging directory it is given. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the complete output under {@code staging} (which does not exist yet). */
    void write(String staging) throws IOException;
  }

  private DirectorySwap() {}

  /** Writes {@code target} through {@code writer}, replacing any previous content atomically. */
  public static void replace(String target, Configuration conf, Writer writer) throws IOException {
    Path t = new Path(target);
    FileSystem fs = t.getFileSystem(conf);
    Path parent = t.getParent();
    if (parent != null) {
      fs.mkdirs(parent);
    }
    // A run killed mid-write leaves its staging directory behind: readers skip it (leading
    // underscore), and the next run for the same target removes it.
    if (parent != null && fs.exists(parent)) {
      for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(parent)) {
        String n = st.getPath().getName();
        if (n.startsWith("_staging-" + t.getName() + "-") || n.startsWith("_replaced-" + t.getName() + "-")) {
          fs.delete(st.getPath(), true);
        }
      }
    }
    String id = UUID.randomUUID().toString();
    Path staging = new Path(parent, "_staging-" + t.getName() + "-" + id);
    Path old = new Path(parent, "_replaced-" + t.getName() + "-" + id);
    try {
      writer.write(staging.toString());
      boolean hadOld = fs.exists(t);
      if (hadOld && !fs.rename(t, old)) {
        throw new IOException("cannot move the previous " + t + " aside");
      }
      if (!fs.rename(staging, t)) {
        if (hadOld) {
          fs.rename(old, t);
        }
        throw new IOException("cannot move " + staging + " to " + t);
      }
      if (hadOld) {
        fs.delete(old, true);
      }
    } finally {
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    }
  }
}
