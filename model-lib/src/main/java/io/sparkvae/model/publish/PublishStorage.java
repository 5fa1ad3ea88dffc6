package io.sparkvae.model.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The few file-system operations that {@link Publisher} needs, over locations of type {@code L} (a
 * {@link java.nio.file.Path} for local disks in {@link LocalStorage}, a Hadoop {@code Path} in
 * spark-job's adapter). Keeping the interface this small keeps model-lib free of Hadoop while the
 * publication algorithm is written once.
 */
public interface PublishStorage<L> {
  /**
   * One entry of a directory listing: its name, whether it is a directory, its modification time
   * (ms).
   */
  record Entry(String name, boolean isDirectory, long modified) {}

  /** The directory holding {@code location}, or null for a root. */
  L parent(L location);

  /** The last name of {@code location} (no separators). */
  String name(L location);

  /** The entry {@code name} of the directory {@code dir}. */
  L child(L dir, String name);

  /** Whether anything (file, directory, link) is at {@code location}. */
  boolean exists(L location) throws IOException;

  /** Creates {@code dir} and its missing parents; nothing happens when it exists. */
  void mkdirs(L dir) throws IOException;

  /**
   * Renames {@code from} to {@code to} in one step. Must fail with an {@link IOException} (never
   * move {@code from} inside {@code to}) when {@code to} exists.
   */
  void rename(L from, L to) throws IOException;

  /**
   * Renames the file {@code from} over the file {@code to}, replacing it in one step where the
   * storage can.
   */
  void renameOver(L from, L to) throws IOException;

  /**
   * Deletes {@code location} and everything under it, not following links; nothing happens when it
   * is absent.
   */
  void deleteRecursively(L location) throws IOException;

  /** The entries of the directory {@code dir}. */
  List<Entry> list(L dir) throws IOException;

  /**
   * Creates (or truncates) the file {@code file}; its bytes are durable once the stream is closed.
   */
  OutputStream create(L file) throws IOException;

  /**
   * Makes the entries of {@code dir} (created, renamed) durable where the storage can; best effort,
   * never fails a publication.
   */
  void syncDirectory(L dir);
}
