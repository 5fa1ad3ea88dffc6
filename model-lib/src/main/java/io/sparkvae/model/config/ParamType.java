package io.sparkvae.model.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The kind of value a {@link ParamSpec} holds and its two external forms, owned here once for every
 * parameter of that kind (as Flink ML's {@code Param} owns its JSON form): the text of the command
 * line, the {@code conf/} files and the Spark ML string params, and the JSON of {@code model.json}.
 * The JSON form is exact: an int never silently wraps, a long seed keeps every digit, a double is
 * written as the shortest text that reads back to the same double, an int list is an array, text
 * and choices are strings.
 *
 * @param <T> the Java type of the value
 */
public final class ParamType<T> {
  /**
   * Reads a value's JSON form; {@code what} names the field in messages ({@code config.latentDim}).
   */
  @FunctionalInterface
  public interface JsonDecoder<T> {
    T decode(JsonElement json, String what);
  }

  /** A 32-bit integer: text {@code 784}, JSON number. */
  public static final ParamType<Integer> INT =
      new ParamType<>(
          Integer.class, Integer::valueOf, String::valueOf, JsonPrimitive::new, ExactJson::int32);

  /** A 64-bit integer: text {@code 42}, JSON number with every digit. */
  public static final ParamType<Long> LONG =
      new ParamType<>(
          Long.class, Long::valueOf, String::valueOf, JsonPrimitive::new, ExactJson::int64);

  /**
   * A double: text and JSON as {@code Double.toString}, the shortest form that reads back exactly.
   */
  public static final ParamType<Double> DOUBLE =
      new ParamType<>(
          Double.class, Double::valueOf, String::valueOf, JsonPrimitive::new, ExactJson::float64);

  /** A boolean: text {@code true}/{@code false} (any case), JSON boolean. */
  public static final ParamType<Boolean> BOOLEAN =
      new ParamType<>(
          Boolean.class,
          ParamType::parseBoolean,
          String::valueOf,
          JsonPrimitive::new,
          ExactJson::bool);

  /** Free text: as is, JSON string. */
  public static final ParamType<String> TEXT =
      new ParamType<>(String.class, s -> s, s -> s, JsonPrimitive::new, ExactJson::string);

  /** A list of ints: text {@code 400,200} ("" for none), JSON array of numbers. */
  public static final ParamType<int[]> INT_LIST =
      new ParamType<>(
          int[].class,
          ParamType::parseInts,
          ParamType::formatInts,
          ParamType::intArray,
          ExactJson::int32Array);

  private final Class<T> type;
  private final Function<String, T> parser;
  private final Function<T, String> formatter;
  private final Function<T, JsonElement> encoder;
  private final JsonDecoder<T> decoder;

  private ParamType(
      Class<T> type,
      Function<String, T> parser,
      Function<T, String> formatter,
      Function<T, JsonElement> encoder,
      JsonDecoder<T> decoder) {
    this.type = type;
    this.parser = parser;
    this.formatter = formatter;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /**
   * One of an enum's constants, written as its lower-case name ({@code BERNOULLI}: {@code
   * bernoulli}) in text and JSON; text is read in any case.
   */
  public static <E extends Enum<E>> ParamType<E> choice(Class<E> enumType) {
    E[] constants = enumType.getEnumConstants();
    String allowed = choiceNames(enumType);
    Function<String, E> parse =
        s -> {
          for (E e : constants) {
            if (nameOf(e).equals(s.toLowerCase(Locale.ROOT))) {
              return e;
            }
          }
          throw new IllegalArgumentException("not one of " + allowed + ": " + s);
        };
    JsonDecoder<E> decode =
        (json, what) -> {
          String s = ExactJson.string(json, what);
          for (E e : constants) {
            if (nameOf(e).equals(s)) {
              return e;
            }
          }
          throw new IllegalArgumentException(
              what + " must be one of " + allowed + ", found " + ExactJson.shown(json));
        };
    return new ParamType<>(
        enumType, parse, ParamType::nameOf, e -> new JsonPrimitive(nameOf(e)), decode);
  }

  /** The text and JSON name of a choice: its constant's name in lower case. */
  public static String nameOf(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** An enum's choice names, sorted, joined by ", " ("bernoulli, gaussian, tabular"). */
  static String choiceNames(Class<? extends Enum<?>> enumType) {
    return Arrays.stream(enumType.getEnumConstants())
        .map(ParamType::nameOf)
        .sorted()
        .collect(Collectors.joining(", "));
  }

  /** The Java type of the value. */
  public Class<T> type() {
    return type;
  }

  /** True for the kind made by {@link #choice}. */
  public boolean isChoice() {
    return type.isEnum();
  }

  /** Parses text (already trimmed); throws on text that is no value of this kind. */
  T parse(String text) {
    return parser.apply(text);
  }

  /** The text form, which {@link #parse} reads back. */
  String format(T value) {
    return formatter.apply(value);
  }

  /** The JSON form. */
  JsonElement toJson(T value) {
    return encoder.apply(value);
  }

  /**
   * Reads the JSON form exactly, naming {@code what} in the message when it is no value of this
   * kind.
   */
  T fromJson(JsonElement json, String what) {
    return decoder.decode(json, what);
  }

  private static Boolean parseBoolean(String s) {
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.valueOf(s);
    }
    throw new IllegalArgumentException("not a boolean: " + s);
  }

  private static int[] parseInts(String s) {
    return s.isEmpty()
        ? new int[0]
        : Arrays.stream(s.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  private static String formatInts(int[] v) {
    return Arrays.stream(v).mapToObj(String::valueOf).collect(Collectors.joining(","));
  }

  private static JsonElement intArray(int[] v) {
    JsonArray a = new JsonArray();
    for (int x : v) {
      a.add(x);
    }
    return a;
  }
}
