package io.sparkvae.model.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomic publication of a directory or a file, the one algorithm behind every output SparkVAE
 * writes (local model saves, Spark models, score partitions, exports, checkpoints, metrics files):
 * readers see the previous complete output or the new complete one, never half of one, and never
 * nothing after a crash.
 *
 * <ul>
 *   <li><b>New directory</b>: written into a hidden sibling {@code _staging-NAME-UUID}, synced,
 *       then renamed to {@code NAME}.
 *   <li><b>Replacement</b>: the existing {@code NAME} is renamed aside to {@code
 *       _replaced-NAME-UUID}, the staging directory renamed in, the old one deleted; a failed
 *       rename puts the old one back.
 *   <li><b>Crash between the two renames</b>: {@code NAME} is missing but a complete {@code
 *       _replaced-NAME-UUID} exists. {@link #readable} finds it without changing anything; {@link
 *       #recover} (run by every publication first) renames it back.
 *   <li><b>File</b>: {@link #writeFile} writes {@code _staging-NAME-UUID} and renames it over
 *       {@code NAME}, which is never deleted first.
 * </ul>
 *
 * <p>Leading underscores hide the siblings from Spark's and Hadoop's readers of a parent folder.
 * Only siblings with these reserved prefixes, the target's exact name and a UUID are ever deleted,
 * so a folder beside the target ({@code model-old}, a user's {@code _replaced-model-v1}) is never
 * touched. Earlier releases saved local models through {@code .NAME.old-HEX} (the previous model
 * set aside) and wrote files through {@code .NAME.tmp}: {@link #recover} and {@link #readable}
 * still find such an aside, and {@code .NAME.tmp} files are cleared, so an interrupted save of an
 * earlier release is recovered; earlier temporaries of directories ({@code .NAME.tmp-X}) are left
 * alone, as those releases left them.
 *
 * @param <L> the storage's location type
 */
public final class Publisher<L> {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

  /** Prefix of the sibling a new output is written into. */
  public static final String STAGING = "_staging-";

  /** Prefix of the sibling a replaced output waits in until the new one is in place. */
  public static final String REPLACED = "_replaced-";

  private static final Pattern UUID_FORM =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  // ModelFormat.save of earlier releases: a random long in hex.
  private static final Pattern LEGACY_ASIDE_ID = Pattern.compile("[0-9a-f]{1,16}");

  /** Writes the complete output at {@code staging}, which does not exist yet. */
  @FunctionalInterface
  public interface Writer<L> {
    void write(L staging) throws IOException;
  }

  /**
   * Decides whether an existing target may be replaced: throws (naming the target and what to do)
   * to refuse.
   */
  @FunctionalInterface
  public interface Existing<L> {
    void check(L target) throws IOException;

    /** Replaces whatever is there. */
    static <L> Existing<L> replace() {
      return target -> {};
    }
  }

  private final PublishStorage<L> storage;

  /** A publisher over {@code storage}. */
  public Publisher(PublishStorage<L> storage) {
    this.storage = storage;
  }

  /**
   * Publishes the directory {@code target} written by {@code writer}. An existing target (after
   * {@link #recover}) is replaced only if {@code existing} allows it, checked before the write and
   * again just before the swap. On failure the staging directory is removed and the previous target
   * is left as it was; the parent folder is created if needed.
   *
   * @throws IllegalArgumentException when {@code target} is a root
   */
  public void publish(L target, Existing<L> existing, Writer<L> writer) throws IOException {
    L parent = parentOf(target);
    storage.mkdirs(parent);
    recover(target);
    if (storage.exists(target)) {
      existing.check(target);
    }
    String id = UUID.randomUUID().toString();
    String name = storage.name(target);
    L staging = storage.child(parent, STAGING + name + "-" + id);
    try {
      writer.write(staging);
      storage.syncDirectory(staging);
      if (storage.exists(target)) {
        existing.check(target);
        swap(staging, target, storage.child(parent, REPLACED + name + "-" + id));
      } else {
        moveIn(staging, target, existing);
      }
      storage.syncDirectory(parent);
    } catch (Throwable e) {
      // Throwable: a writer in Scala (Spark's) throws checked exceptions that Java does not see.
      deleteAfterFailure(staging, e);
      throw e;
    }
  }

  private void swap(L staging, L target, L aside) throws IOException {
    storage.rename(target, aside);
    try {
      storage.rename(staging, target);
    } catch (Throwable e) {
      try {
        storage.rename(aside, target);
      } catch (IOException | RuntimeException restore) {
        e.addSuppressed(
            new IOException(
                "could not put the previous "
                    + target
                    + " back from "
                    + aside
                    + "; rename it back by hand",
                restore));
      }
      throw e;
    }
    try {
      storage.deleteRecursively(aside);
    } catch (IOException e) {
      throw new IOException(
          target
              + " was written, but the previous one could not be deleted from "
              + aside
              + "; delete it by hand",
          e);
    }
  }

  private void moveIn(L staging, L target, Existing<L> existing) throws IOException {
    try {
      storage.rename(staging, target);
    } catch (IOException e) {
      if (storage.exists(target)) {
        // Another writer got there between our check and the rename: its refusal if it refuses.
        existing.check(target);
        throw new IOException("another writer created " + target + " while this one wrote it", e);
      }
      throw e;
    }
  }

  /**
   * Writes {@code bytes} as the file {@code target}: into a staging sibling, then one rename over
   * the target, so a reader (or a crash) finds the old content or the new, never half a file and
   * never no file. The parent folder is created if needed.
   */
  public void writeFile(L target, byte[] bytes) throws IOException {
    L parent = parentOf(target);
    storage.mkdirs(parent);
    recover(target);
    L staging = storage.child(parent, STAGING + storage.name(target) + "-" + UUID.randomUUID());
    try {
      try (OutputStream out = storage.create(staging)) {
        out.write(bytes);
      }
      storage.renameOver(staging, target);
      storage.syncDirectory(parent);
    } catch (Throwable e) {
      deleteAfterFailure(staging, e);
      throw e;
    }
  }

  /**
   * Repairs what an interrupted publication of {@code target} left: a previous output renamed aside
   * but not replaced is renamed back (the newest, when several); this publisher's other leftovers
   * ({@code _replaced-} and {@code _staging-} siblings of this exact target) are deleted.
   */
  public void recover(L target) throws IOException {
    L parent = storage.parent(target);
    if (parent == null || !storage.exists(parent)) {
      return;
    }
    Leftovers left = leftovers(parent, storage.name(target));
    List<PublishStorage.Entry> asides = new ArrayList<>(left.ownAsides());
    if (!storage.exists(target) && left.newestAside() != null) {
      L newest = storage.child(parent, left.newestAside().name());
      try {
        storage.rename(newest, target);
      } catch (IOException e) {
        throw new IOException(
            "cannot restore "
                + target
                + " from "
                + newest
                + " (left by an interrupted run);"
                + " rename it back by hand",
            e);
      }
      LOG.warn("restored {} from {}: a run was interrupted while replacing it", target, newest);
      asides.remove(left.newestAside());
    }
    for (PublishStorage.Entry e : asides) {
      storage.deleteRecursively(storage.child(parent, e.name()));
    }
    // A run killed mid-write leaves its staging sibling behind: incomplete and hidden, so it goes.
    for (PublishStorage.Entry e : left.staging()) {
      storage.deleteRecursively(storage.child(parent, e.name()));
    }
  }

  /**
   * Where a reader finds {@code target}: itself, or while it is missing after an interrupted swap,
   * the complete previous output renamed aside (the newest). Reading it changes nothing.
   */
  public L readable(L target) throws IOException {
    L parent = storage.parent(target);
    if (parent == null || storage.exists(target) || !storage.exists(parent)) {
      return target;
    }
    PublishStorage.Entry aside = leftovers(parent, storage.name(target)).newestAside();
    if (aside == null) {
      return target;
    }
    L found = storage.child(parent, aside.name());
    LOG.warn(
        "{} is missing after an interrupted replacement; reading the previous one, {}",
        target,
        found);
    return found;
  }

  /**
   * The reserved siblings of the target {@code name}.
   *
   * @param ownAsides this publisher's {@code _replaced-NAME-UUID} directories, which it may delete
   * @param newestAside the newest previous output set aside, this publisher's or an earlier
   *     release's
   * @param staging this publisher's {@code _staging-NAME-UUID} entries and an earlier release's
   *     file temporary
   */
  private record Leftovers(
      List<PublishStorage.Entry> ownAsides,
      PublishStorage.Entry newestAside,
      List<PublishStorage.Entry> staging) {}

  private Leftovers leftovers(L parent, String name) throws IOException {
    List<PublishStorage.Entry> own = new ArrayList<>();
    List<PublishStorage.Entry> asides = new ArrayList<>();
    List<PublishStorage.Entry> staging = new ArrayList<>();
    for (PublishStorage.Entry e : storage.list(parent)) {
      String n = e.name();
      if (e.isDirectory() && ownName(n, REPLACED, name)) {
        own.add(e);
        asides.add(e);
      } else if (e.isDirectory() && legacyAside(n, name)) {
        asides.add(e);
      } else if (ownName(n, STAGING, name) || (!e.isDirectory() && n.equals("." + name + ".tmp"))) {
        staging.add(e);
      }
    }
    PublishStorage.Entry newest =
        asides.stream().max(Comparator.comparingLong(PublishStorage.Entry::modified)).orElse(null);
    return new Leftovers(own, newest, staging);
  }

  /**
   * {@code prefix + name + "-" + UUID}: a sibling whose name merely extends the target's does not
   * match.
   */
  private static boolean ownName(String entry, String prefix, String name) {
    String start = prefix + name + "-";
    return entry.startsWith(start) && UUID_FORM.matcher(entry.substring(start.length())).matches();
  }

  private static boolean legacyAside(String entry, String name) {
    String start = "." + name + ".old-";
    return entry.startsWith(start)
        && LEGACY_ASIDE_ID.matcher(entry.substring(start.length())).matches();
  }

  private L parentOf(L target) {
    L parent = storage.parent(target);
    if (parent == null) {
      throw new IllegalArgumentException("cannot publish the root directory " + target);
    }
    return parent;
  }

  private void deleteAfterFailure(L staging, Throwable primary) {
    try {
      storage.deleteRecursively(staging);
    } catch (IOException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
