package io.sparkvae.spark.ml;

import ai.djl.Device;
import io.sparkvae.model.vae.VaeInference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-wide cache of native models: one {@link VaeInference} per (model, device) per JVM,
 * built by the first task that needs it and reused by every later task and transform of the same
 * model, so parameters are loaded into native memory once per executor rather than once per task.
 *
 * <p>Entries are reference counted: a task holds a {@link Lease} while it runs and returns it when
 * it completes. A model nobody holds stays cached for the next task until more than {@link
 * #MAX_IDLE} idle models are cached; then the least recently used idle one is closed (its native
 * memory freed). A model in use is never closed.
 */
final class InferenceCache {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceCache.class);

  /** Idle models kept per JVM (system property {@code sparkvae.inference.cachedModels}). */
  static final int MAX_IDLE = Math.max(0, Integer.getInteger("sparkvae.inference.cachedModels", 4));

  // Access order: iteration starts at the least recently used entry. Guarded by the class lock.
  private static final LinkedHashMap<String, Entry> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);

  private InferenceCache() {}

  /** A model taken from the cache; {@link #close()} gives it back (idempotent). */
  static final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean closed;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    /** The shared model. */
    VaeInference model() {
      return entry.model;
    }

    @Override
    public void close() {
      synchronized (InferenceCache.class) {
        if (closed) {
          return;
        }
        closed = true;
        entry.users--;
        evictIdle();
      }
    }
  }

  private static final class Entry {
    final String key;
    VaeInference model;
    int users;

    Entry(String key) {
      this.key = key;
    }
  }

  /**
   * Takes the model for {@code modelKey} on {@code device}, building it with {@code factory} if
   * this JVM has none. Concurrent callers with the same key wait for one build.
   */
  static Lease acquire(String modelKey, Device device, Supplier<VaeInference> factory) {
    String key = modelKey + "@" + device;
    Entry entry;
    synchronized (InferenceCache.class) {
      entry = ENTRIES.computeIfAbsent(key, Entry::new);
      entry.users++;
    }
    try {
      // Built under the entry's lock, not the class's: other models stay usable while one loads.
      synchronized (entry) {
        if (entry.model == null) {
          entry.model = factory.get();
          LOG.info("sparkvae: loaded model {} for inference", key);
        }
      }
    } catch (RuntimeException | Error e) {
      synchronized (InferenceCache.class) {
        entry.users--;
        if (entry.users == 0 && entry.model == null) {
          ENTRIES.remove(key, entry);
        }
      }
      throw e;
    }
    return new Lease(entry);
  }

  /** Models cached in this JVM, in use or not. */
  static synchronized int size() {
    return ENTRIES.size();
  }

  /**
   * Closes idle models beyond {@link #MAX_IDLE}, least recently used first. Holds the class lock.
   */
  private static void evictIdle() {
    int idle = 0;
    for (Entry e : ENTRIES.values()) {
      if (e.users == 0) {
        idle++;
      }
    }
    List<Entry> evicted = new ArrayList<>();
    for (Iterator<Entry> it = ENTRIES.values().iterator(); it.hasNext() && idle > MAX_IDLE; ) {
      Entry e = it.next();
      if (e.users == 0) {
        it.remove();
        evicted.add(e);
        idle--;
      }
    }
    for (Entry e : evicted) {
      if (e.model != null) {
        e.model.close();
      }
      LOG.info("sparkvae: released idle model {}", e.key);
    }
  }

  /** Closes every idle model (for tests and shutdown hooks); models in use stay. */
  static synchronized void clearIdle() {
    for (Iterator<Map.Entry<String, Entry>> it = ENTRIES.entrySet().iterator(); it.hasNext(); ) {
      Entry e = it.next().getValue();
      if (e.users == 0) {
        it.remove();
        if (e.model != null) {
          e.model.close();
        }
      }
    }
  }
}
