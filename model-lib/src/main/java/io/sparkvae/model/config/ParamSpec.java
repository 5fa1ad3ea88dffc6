package io.sparkvae.model.config;

import com.google.gson.JsonElement;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The single declaration of one hyperparameter: its name, documentation, default, how it is parsed
 * from text, and which values are valid. The command line, the {@code conf/} files, the model's
 * JSON and the Spark ML {@code Param}s all derive from these declarations, so a hyperparameter is
 * declared exactly once.
 *
 * @param <C> the immutable config type the value is read from
 * @param <B> the builder type the value is written to
 * @param <T> the value type
 */
public final class ParamSpec<C, B, T> {
  private final String name;
  private final String doc;
  private final ParamType<T> type;
  private final T defaultValue;
  private final Predicate<T> validator;
  private final String constraint;
  private final Function<C, T> getter;
  private final BiConsumer<B, T> setter;
  private final boolean path;

  ParamSpec(
      String name,
      String doc,
      ParamType<T> type,
      T defaultValue,
      Predicate<T> validator,
      String constraint,
      Function<C, T> getter,
      BiConsumer<B, T> setter,
      boolean path) {
    this.path = path;
    this.name = Objects.requireNonNull(name);
    this.doc = Objects.requireNonNull(doc);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = Objects.requireNonNull(defaultValue);
    this.validator = validator;
    this.constraint = constraint;
    this.getter = getter;
    this.setter = setter;
    // The default itself must be valid: a declaration that contradicts itself is a bug.
    validate(defaultValue);
  }

  /**
   * True for a file or directory path: a relative one in a config file is taken from the file's
   * folder (on the command line, from the current directory).
   */
  public boolean isPath() {
    return path;
  }

  /** The name used on the command line ({@code --name}), in config files and in Spark ML. */
  public String name() {
    return name;
  }

  /** Human documentation, shown by {@code --help} and in Spark ML's {@code explainParams}. */
  public String doc() {
    return doc;
  }

  /**
   * The Java type of the value ({@code Integer}, {@code Double}, {@code Long}, {@code Boolean},
   * {@code String}, {@code int[]}).
   */
  public Class<T> type() {
    return type.type();
  }

  /** The kind of value, which owns its text and JSON forms. */
  public ParamType<T> paramType() {
    return type;
  }

  /** The default value (already validated). */
  public T defaultValue() {
    return defaultValue;
  }

  /** What a valid value looks like, in words ("> 0", "one of bernoulli, gaussian"). */
  public String constraint() {
    return constraint;
  }

  /** True when {@code value} is valid for this parameter. */
  public boolean isValid(T value) {
    return value != null && validator.test(value);
  }

  /**
   * Checks a value.
   *
   * @throws IllegalArgumentException naming the parameter, the value and the constraint
   */
  public T validate(T value) {
    if (!isValid(value)) {
      throw new IllegalArgumentException(
          "invalid value for " + name + ": " + format(value) + " (expected " + constraint + ")");
    }
    return value;
  }

  /**
   * Parses and validates a value from text (command line, config file).
   *
   * @throws IllegalArgumentException naming the parameter when the text is not a valid value
   */
  public T parse(String text) {
    T value;
    try {
      value = type.parse(text.trim());
    } catch (RuntimeException e) {
      // A choice is shown as it was compared, in lower case and unquoted, like any invalid value.
      String shown =
          type.isChoice() ? text.trim().toLowerCase(java.util.Locale.ROOT) : "'" + text + "'";
      throw new IllegalArgumentException(
          "invalid value for " + name + ": " + shown + " (expected " + constraint + ")", e);
    }
    return validate(value);
  }

  /** Formats a value as text that {@link #parse} reads back. */
  public String format(T value) {
    return value == null ? "null" : type.format(value);
  }

  /**
   * The JSON form of a value (model.json, the safetensors export): exact, see {@link ParamType}.
   */
  public JsonElement toJson(T value) {
    return type.toJson(value);
  }

  /**
   * Reads a value's JSON form exactly (not yet validated: {@link #set} does that).
   *
   * @param what the field's name in messages, such as {@code config.latentDim}
   * @throws IllegalArgumentException naming {@code what} when the JSON is no value of this type
   */
  public T fromJson(JsonElement json, String what) {
    return type.fromJson(json, what);
  }

  /** Reads this parameter's value from a config. */
  public T get(C config) {
    return getter.apply(config);
  }

  /** Validates and writes a value into a builder. */
  public void set(B builder, T value) {
    setter.accept(builder, validate(value));
  }

  /** Parses text and writes the value into a builder. */
  public void setFromString(B builder, String text) {
    setter.accept(builder, parse(text));
  }

  /** Writes an untyped value (for example from JSON or Spark) after checking its type. */
  public void setUntyped(B builder, Object value) {
    set(builder, coerce(value));
  }

  /** Converts an untyped value (a number of another width, a string) into this parameter's type. */
  @SuppressWarnings("unchecked")
  public T coerce(Object value) {
    if (value == null) {
      throw new IllegalArgumentException("invalid value for " + name + ": null");
    }
    if (type.type().isInstance(value)) {
      return (T) value;
    }
    if (value instanceof String s) {
      return parse(s);
    }
    if (value instanceof Number n) {
      Object converted;
      Class<T> t = type.type();
      if (t == Integer.class
          && n.doubleValue() == Math.rint(n.doubleValue())
          && n.longValue() == n.intValue()) {
        // Only whole numbers that fit: 3e9 must not wrap to a negative int.
        converted = n.intValue();
      } else if (t == Long.class && n.doubleValue() == Math.rint(n.doubleValue())) {
        converted = n.longValue();
      } else if (t == Double.class) {
        converted = n.doubleValue();
      } else {
        converted = null;
      }
      if (converted != null) {
        return (T) converted;
      }
    }
    throw new IllegalArgumentException(
        "invalid value for " + name + ": " + value + " (expected " + constraint + ")");
  }

  /**
   * The same declaration (name, doc, type, default, text form, validator) read from and written to
   * another config class: one option that two configs hold (a job's and a stage's) is declared
   * once.
   */
  public <C2, B2> ParamSpec<C2, B2, T> rebind(Function<C2, T> getter, BiConsumer<B2, T> setter) {
    return new ParamSpec<>(
        name, doc, type, defaultValue, validator, constraint, getter, setter, path);
  }

  @Override
  public String toString() {
    return name + " (default " + format(defaultValue) + "): " + doc;
  }
}
