package io.sparkvae.model.tabular;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * How a tabular column's value is obtained from its source column: the value itself, or a
 * categorical feature derived from a timestamp (hour of day 0..23, ISO day of week 1 = Monday ..
 * 7). Timestamps are taken as local date-times: Spark's {@code timestamp_ntz} ({@link
 * LocalDateTime}) as is, {@link Timestamp} in the JVM's zone (as Spark renders it), an {@link
 * Instant} in UTC.
 */
public enum Derive {
  /** The source value itself. */
  NONE(""),
  /** Hour of day, "0" .. "23". */
  HOUR_OF_DAY("_hour"),
  /** ISO day of week, "1" (Monday) .. "7". */
  DAY_OF_WEEK("_dow");

  private final String suffix;

  Derive(String suffix) {
    this.suffix = suffix;
  }

  /** The name of the derived column of a source: {@code date_hour}, {@code date_dow}. */
  public String columnName(String source) {
    return source + suffix;
  }

  /** The lower-case name used in schemas. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The derive of a schema name, or throws naming it. */
  public static Derive of(String name) {
    for (Derive d : values()) {
      if (d.configName().equals(name)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown derived feature '" + name + "'");
  }

  /**
   * The derived categorical key of a timestamp value, or null for null.
   *
   * @throws IllegalArgumentException for a value that is not a timestamp
   */
  public String apply(Object value, String column) {
    if (value == null) {
      return null;
    }
    LocalDateTime t;
    if (value instanceof LocalDateTime l) {
      t = l;
    } else if (value instanceof Timestamp ts) {
      t = ts.toLocalDateTime();
    } else if (value instanceof Instant i) {
      t = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    } else {
      throw new TabularValueException(
          column,
          "has a value of type "
              + value.getClass().getSimpleName()
              + " where a timestamp is expected");
    }
    return switch (this) {
      case HOUR_OF_DAY -> Integer.toString(t.getHour());
      case DAY_OF_WEEK -> Integer.toString(t.getDayOfWeek().getValue());
      case NONE -> throw new IllegalStateException("not a derived feature");
    };
  }
}
