package io.sparkvae.spark.fs;

import io.sparkvae.model.publish.Publisher;
import java.io.IOException;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Atomic publication through Hadoop's FileSystem: model-lib's {@link Publisher} (the one algorithm,
 * described there) over {@link HadoopStorage}. A directory output (a model, a score partition, an
 * export) is written into a hidden staging sibling {@code _staging-NAME-ID} and renamed in; an
 * existing one is renamed aside to {@code _replaced-NAME-ID} first and deleted once the new one is
 * in place. A single file (checkpoint, metrics) is renamed over the old one.
 *
 * <p>A crash between the two renames leaves no {@code NAME} but a complete {@code
 * _replaced-NAME-ID}. Nothing is lost: the next publication of the same target renames it back
 * first ({@link #recover}), and readers find it through {@link #readable} meanwhile. Only siblings
 * with these reserved prefixes are ever removed, never anything else beside the target.
 */
public final class HadoopPublisher {
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
    Guard ANY = (fs, target) -> {};
  }

  private HadoopPublisher() {}

  /** The publisher over {@code fs} (its raw files, when it is checksummed). */
  public static Publisher<Path> of(FileSystem fs) {
    return new Publisher<>(new HadoopStorage(fs));
  }

  /** Writes {@code target} through {@code writer}, replacing any previous content atomically. */
  public static void replace(String target, Configuration conf, Writer writer) throws IOException {
    replace(target, conf, Guard.ANY, writer);
  }

  /**
   * Writes {@code target} through {@code writer}; an existing target is replaced only if {@code
   * guard} allows it, checked before the write and again just before the swap.
   */
  public static void replace(String target, Configuration conf, Guard guard, Writer writer)
      throws IOException {
    Path t = new Path(target);
    FileSystem fs = t.getFileSystem(conf);
    // The root is refused by Publisher ("cannot publish the root directory").
    of(fs)
        .publish(
            t, existing -> guard.check(fs, existing), staging -> writer.write(staging.toString()));
  }

  /**
   * Publishes the new directory {@code target} through {@code writer}, which is given the staging
   * directory (not yet created).
   *
   * @param what "save a model", "export a model": for the message when target is the root
   * @param exists the exception when {@code target} exists already
   */
  public static void create(
      String target,
      Configuration conf,
      String what,
      Supplier<? extends IOException> exists,
      Publisher.Writer<Path> writer)
      throws IOException {
    Path t = new Path(target);
    if (t.getParent() == null) {
      throw new IllegalArgumentException("cannot " + what + " as the root directory " + target);
    }
    of(t.getFileSystem(conf))
        .publish(
            t,
            existing -> {
              throw exists.get();
            },
            writer);
  }

  /**
   * Writes {@code bytes} as the file {@code target}, creating its parent folder if needed: a reader
   * (or a crash) finds the old content or the new, never half a file and never no file.
   */
  public static void writeFile(FileSystem fs, Path target, byte[] bytes) throws IOException {
    of(fs).writeFile(target, bytes);
  }

  /**
   * Repairs what an interrupted publication of {@code target} left: a previous output renamed aside
   * but not replaced is renamed back; leftovers of a finished or failed swap are removed.
   */
  public static void recover(FileSystem fs, Path target) throws IOException {
    of(fs).recover(target);
  }

  /**
   * Where a reader finds {@code target}: itself, or while it is missing after an interrupted swap,
   * the complete previous output renamed aside (the newest). Reading it changes nothing.
   */
  public static String readable(String target, Configuration conf) throws IOException {
    Path t = new Path(target);
    FileSystem fs = t.getFileSystem(conf);
    Path found = of(fs).readable(t);
    return found.equals(t) ? target : fs.makeQualified(found).toString();
  }
}
