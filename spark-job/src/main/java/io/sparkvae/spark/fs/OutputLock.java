package io.sparkvae.spark.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock file that keeps two runs from writing the same output at once (two {@code score.sh} for
 * one day): created exclusively, holding its owner (user, host, process) and start time. A lock is
 * stale, and taken over with a warning, when it is older than the timeout or when its process ran
 * on this host and is gone (a run killed with SIGKILL removes nothing). Closing it removes the file
 * if it is still this run's.
 */
public final class OutputLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);

  private final FileSystem fs;
  private final Path file;
  private final String token;

  private OutputLock(FileSystem fs, Path file, String token) {
    this.fs = fs;
    this.file = file;
    this.token = token;
  }

  /**
   * Takes the lock {@code file} for writing {@code what}.
   *
   * @throws IllegalStateException when another run holds it and it is not older than {@code
   *     staleAfter}
   */
  public static OutputLock acquire(
      FileSystem fileSystem, Path file, String what, Duration staleAfter) throws IOException {
    FileSystem fs = fileSystem instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fileSystem;
    String token = UUID.randomUUID().toString();
    Properties p = new Properties();
    p.setProperty(
        "owner",
        System.getProperty("user.name") + "@" + ManagementFactory.getRuntimeMXBean().getName());
    p.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
    p.setProperty("host", host());
    p.setProperty("started", Instant.now().toString());
    p.setProperty("token", token);
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    p.store(b, "SparkVAE: a run is writing " + what);
    if (create(fs, file, b.toByteArray())) {
      return new OutputLock(fs, file, token);
    }
    Properties held = read(fs, file);
    Instant started = startedOf(held);
    if (started != null && started.plus(staleAfter).isAfter(Instant.now()) && !deadHere(held)) {
      throw new IllegalStateException(
          "another run is writing "
              + what
              + " ("
              + held.getProperty("owner")
              + ", started "
              + started
              + ", lock file "
              + file
              + "): wait for it to finish; if that run is dead,"
              + " delete the lock file (it counts as stale after "
              + staleAfter.toMinutes()
              + " minutes)");
    }
    LOG.warn(
        "taking over the stale lock {} ({}, started {})", file, held.getProperty("owner"), started);
    fs.delete(file, false);
    if (!create(fs, file, b.toByteArray())) {
      throw new IllegalStateException(
          "another run is writing "
              + what
              + " (it took the stale lock "
              + file
              + " at the same moment)");
    }
    return new OutputLock(fs, file, token);
  }

  /** Whether the lock's process ran on this host and no longer exists. */
  private static boolean deadHere(Properties held) {
    if (!host().equals(held.getProperty("host"))) {
      return false;
    }
    try {
      return ProcessHandle.of(Long.parseLong(held.getProperty("pid", "")))
          .map(h -> !h.isAlive())
          .orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String host() {
    String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return name.substring(name.indexOf('@') + 1);
  }

  private static Instant startedOf(Properties held) {
    try {
      return Instant.parse(held.getProperty("started", ""));
    } catch (DateTimeParseException e) {
      return null; // unreadable: treated as stale
    }
  }

  /** Creates the file only if it does not exist; false when it does. */
  private static boolean create(FileSystem fs, Path file, byte[] content) throws IOException {
    fs.mkdirs(file.getParent());
    if (fs instanceof RawLocalFileSystem local) {
      // O_EXCL: Hadoop's local create(overwrite=false) checks and creates in two steps.
      try {
        Files.write(
            local.pathToFile(file).toPath(),
            content,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(content);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  private static Properties read(FileSystem fs, Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = fs.open(file)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
    } catch (java.io.FileNotFoundException gone) {
      return p; // released meanwhile: no start time, so stale, and taken below
    }
    return p;
  }

  /** Removes the lock file if it is still this run's. */
  @Override
  public void close() throws IOException {
    if (fs.exists(file) && token.equals(read(fs, file).getProperty("token"))) {
      fs.delete(file, false);
    }
  }
}
