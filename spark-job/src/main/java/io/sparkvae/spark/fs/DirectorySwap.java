package io.sparkvae.spark.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a directory output (a model, a score partition) so that readers see either the old
 * complete output or the new one: the writer fills a hidden staging sibling {@code
 * _staging-NAME-ID}; once it is complete the existing output is renamed aside to {@code
 * _replaced-NAME-ID}, the staging directory renamed into place, and the old one deleted. On failure
 * the staging directory is removed and the previous output is left as it was.
 *
 * <p>A crash between the two renames leaves no {@code NAME} but a complete {@code
 * _replaced-NAME-ID}. Nothing is lost: the next {@link #replace} of the same target renames it back
 * first, and readers find it through {@link #readable} meanwhile. Only directories with these
 * reserved prefixes are ever removed here, never anything else beside the target.
 */
public final class DirectorySwap {
  private static final Logger LOG = LoggerFactory.getLogger(DirectorySwap.class);
  private static final String STAGING = "_staging-";
  private static final String REPLACED = "_replaced-";

  /** Writes into a staging directory it is given. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the complete output under {@code staging} (which does not exist yet). */
    void write(String staging) throws IOException;
  }

  /** Decides whether an existing target may be replaced; throws to refuse. */
  @FunctionalInterface
  public interface Guard {
    /** Throws (naming the target and what to do) when {@code target}, which exists, must stay. */
    void check(FileSystem fs, Path target) throws IOException;

    /** Replaces whatever is there. */
    Guard ANY = (fs, target) -> { };
  }

  private DirectorySwap() {}

  /** Writes {@code target} through {@code writer}, replacing any previous content atomically. */
  public static void replace(String target, Configuration conf, Writer writer) throws IOException {
    replace(target, conf, Guard.ANY, writer);
  }

  /**
   * Writes {@code target} through {@code writer}; an existing target is replaced only if {@code
   * guard} allows it, checked before the write and again just before the swap.
   */
  public static void replace(String target, Configuration conf, Guard guard, Writer writer) throws IOException {
    Path t = new Path(target);
    FileSystem fs = t.getFileSystem(conf);
    Path parent = t.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("cannot replace the root directory " + target);
    }
    fs.mkdirs(parent);
    recover(fs, t);
    if (fs.exists(t)) {
      guard.check(fs, t);
    }
    String id = UUID.randomUUID().toString();
    Path staging = new Path(parent, STAGING + t.getName() + "-" + id);
    Path old = new Path(parent, REPLACED + t.getName() + "-" + id);
    try {
      writer.write(staging.toString());
      boolean hadOld = fs.exists(t);
      if (hadOld) {
        guard.check(fs, t);
        if (!fs.rename(t, old)) {
          throw new IOException("cannot move the previous " + t + " aside");
        }
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

  /**
   * Repairs what an interrupted {@link #replace} of {@code target} left: a previous output renamed
   * aside but not replaced is renamed back; leftovers of a finished or failed swap are removed.
   */
  public static void recover(FileSystem fs, Path target) throws IOException {
    List<FileStatus> aside = leftovers(fs, target, REPLACED);
    if (!fs.exists(target) && !aside.isEmpty()) {
      Path newest = aside.remove(0).getPath();
      if (fs.rename(newest, target)) {
        LOG.warn("restored {} from {}: a run was interrupted while replacing it", target, newest);
      } else {
        throw new IOException("cannot restore " + target + " from " + newest + " (left by an interrupted run);"
            + " rename it back by hand");
      }
    }
    for (FileStatus s : aside) {
      fs.delete(s.getPath(), true);
    }
    // A run killed mid-write leaves its staging directory behind: readers skip it (leading
    // underscore) and it is incomplete, so it goes.
    for (FileStatus s : leftovers(fs, target, STAGING)) {
      fs.delete(s.getPath(), true);
    }
  }

  /**
   * Where a reader finds {@code target}: itself, or while it is missing after an interrupted swap,
   * the complete previous output renamed aside (the newest). Reading it changes nothing.
   */
  public static String readable(String target, Configuration conf) throws IOException {
    Path t = new Path(target);
    FileSystem fs = t.getFileSystem(conf);
    if (t.getParent() == null || fs.exists(t)) {
      return target;
    }
    List<FileStatus> aside = leftovers(fs, t, REPLACED);
    if (aside.isEmpty()) {
      return target;
    }
    LOG.warn("{} is missing after an interrupted replacement; reading the previous one, {}", target,
        aside.get(0).getPath());
    return aside.get(0).getPath().toString();
  }

  /** Siblings of {@code target} named {@code prefix + name + "-"}, newest first. */
  private static List<FileStatus> leftovers(FileSystem fs, Path target, String prefix) throws IOException {
    List<FileStatus> found = new ArrayList<>();
    Path parent = target.getParent();
    if (parent == null || !fs.exists(parent)) {
      return found;
    }
    String start = prefix + target.getName() + "-";
    for (FileStatus s : fs.listStatus(parent)) {
      String n = s.getPath().getName();
      // The id is a UUID: a sibling target whose name extends ours ("model-old") does not match.
      if (s.isDirectory() && n.startsWith(start) && n.substring(start.length()).matches("[0-9a-f-]{36}")) {
        found.add(s);
      }
    }
    found.sort(Comparator.comparingLong(FileStatus::getModificationTime).reversed());
    return found;
  }
}
