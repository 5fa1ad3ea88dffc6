package io.sparkvae.model.publish;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link PublishStorage} over local paths with {@code java.nio}: POSIX renames, fsync of files and
 * directories.
 */
public final class LocalStorage implements PublishStorage<Path> {
  private static final Publisher<Path> PUBLISHER = new Publisher<>(new LocalStorage());

  private LocalStorage() {}

  /** The publisher for local paths. */
  public static Publisher<Path> publisher() {
    return PUBLISHER;
  }

  @Override
  public Path parent(Path location) {
    Path p = location.toAbsolutePath().normalize();
    return p.getFileName() == null ? null : p.getParent();
  }

  @Override
  public String name(Path location) {
    return location.toAbsolutePath().normalize().getFileName().toString();
  }

  @Override
  public Path child(Path dir, String name) {
    return dir.resolve(name);
  }

  @Override
  public boolean exists(Path location) {
    return Files.exists(location, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void mkdirs(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    // rename(2): fails on a non-empty directory (and for a file, checked here first); an empty
    // directory created meanwhile is replaced, which loses nothing.
    if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS) && exists(to)) {
      throw new java.nio.file.FileAlreadyExistsException(to.toString());
    }
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void renameOver(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void deleteRecursively(Path location) throws IOException {
    if (!exists(location)) {
      return;
    }
    // walkFileTree does not follow links, so a link inside is removed, not its target.
    Files.walkFileTree(
        location,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  @Override
  public List<Entry> list(Path dir) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        BasicFileAttributes a =
            Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        entries.add(
            new Entry(
                p.getFileName().toString(), a.isDirectory(), a.lastModifiedTime().toMillis()));
      }
    }
    return entries;
  }

  @Override
  public OutputStream create(Path file) throws IOException {
    return createDurable(file);
  }

  /** Creates (or truncates) {@code file}; closing the stream forces its bytes to disk (fsync). */
  public static OutputStream createDurable(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    return new FilterOutputStream(Channels.newOutputStream(channel)) {
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
        try (OutputStream o = out) {
          o.flush();
          channel.force(true);
        }
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) {
    // fsync of the directory makes its new entries (and a rename) survive a power cut. Some
    // platforms (Windows) cannot open a directory for this; there the rename is still atomic,
    // only less durable, which is no reason to fail a publication.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException notSupported) {
      return;
    }
  }
}
