package io.sparkvae.model.config;

import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Factories for the common kinds of {@link ParamSpec}: bounded numbers, choices, int lists. */
public final class ParamSpecs {
  private ParamSpecs() {}

  /** An int parameter with {@code value >= min}. */
  public static <C, B> ParamSpec<C, B, Integer> intAtLeast(
      String name,
      String doc,
      int def,
      int min,
      Function<C, Integer> get,
      BiConsumer<B, Integer> set) {
    return new ParamSpec<>(
        name, doc, ParamType.INT, def, v -> v >= min, ">= " + min, get, set, false);
  }

  /** A long parameter with {@code value >= min}. */
  public static <C, B> ParamSpec<C, B, Long> longAtLeast(
      String name, String doc, long def, long min, Function<C, Long> get, BiConsumer<B, Long> set) {
    return new ParamSpec<>(
        name, doc, ParamType.LONG, def, v -> v >= min, ">= " + min, get, set, false);
  }

  /** A long parameter that takes any 64-bit value (a seed). */
  public static <C, B> ParamSpec<C, B, Long> anyLong(
      String name, String doc, long def, Function<C, Long> get, BiConsumer<B, Long> set) {
    return new ParamSpec<>(
        name, doc, ParamType.LONG, def, v -> true, "a 64-bit integer", get, set, false);
  }

  /** A finite double parameter in the interval described by the bounds. */
  public static <C, B> ParamSpec<C, B, Double> doubleIn(
      String name,
      String doc,
      double def,
      double lo,
      boolean loInclusive,
      double hi,
      boolean hiInclusive,
      Function<C, Double> get,
      BiConsumer<B, Double> set) {
    String constraint =
        (loInclusive ? "[" : "(") + fmt(lo) + ", " + fmt(hi) + (hiInclusive ? "]" : ")");
    return new ParamSpec<>(
        name,
        doc,
        ParamType.DOUBLE,
        def,
        v ->
            Double.isFinite(v)
                && (loInclusive ? v >= lo : v > lo)
                && (hiInclusive ? v <= hi : v < hi),
        "a number in " + constraint,
        get,
        set,
        false);
  }

  /**
   * A choice among an enum's constants, written as their lower-case names ({@code bernoulli}) on
   * the command line, in config files, in model.json and in Spark ML's string params.
   */
  public static <C, B, E extends Enum<E>> ParamSpec<C, B, E> choice(
      String name, String doc, Class<E> type, E def, Function<C, E> get, BiConsumer<B, E> set) {
    return new ParamSpec<>(
        name,
        doc,
        ParamType.choice(type),
        def,
        v -> true,
        "one of " + ParamType.choiceNames(type),
        get,
        set,
        false);
  }

  /** A list of positive ints written "400,200" (empty list allowed when {@code allowEmpty}). */
  public static <C, B> ParamSpec<C, B, int[]> positiveIntList(
      String name,
      String doc,
      int[] def,
      boolean allowEmpty,
      Function<C, int[]> get,
      BiConsumer<B, int[]> set) {
    return new ParamSpec<>(
        name,
        doc,
        ParamType.INT_LIST,
        def.clone(),
        v -> (allowEmpty || v.length > 0) && Arrays.stream(v).allMatch(x -> x > 0),
        (allowEmpty ? "" : "a non-empty ") + "comma-separated list of positive integers",
        c -> get.apply(c).clone(),
        (b, v) -> set.accept(b, v.clone()),
        false);
  }

  /** A boolean parameter written true/false. */
  public static <C, B> ParamSpec<C, B, Boolean> bool(
      String name, String doc, boolean def, Function<C, Boolean> get, BiConsumer<B, Boolean> set) {
    return new ParamSpec<>(
        name, doc, ParamType.BOOLEAN, def, v -> true, "true or false", get, set, false);
  }

  /**
   * A free-text parameter (a path, a column name); {@code allowEmpty} decides whether "" is valid.
   */
  public static <C, B> ParamSpec<C, B, String> text(
      String name,
      String doc,
      String def,
      boolean allowEmpty,
      Function<C, String> get,
      BiConsumer<B, String> set) {
    return new ParamSpec<>(
        name,
        doc,
        ParamType.TEXT,
        def,
        v -> allowEmpty || !v.isEmpty(),
        allowEmpty ? "any text" : "non-empty text",
        get,
        set,
        false);
  }

  /**
   * A file or directory path (a Hadoop path or URI; "" for none): a relative path in a config file
   * is taken from the file's folder, on the command line from the current directory.
   */
  public static <C, B> ParamSpec<C, B, String> path(
      String name, String doc, Function<C, String> get, BiConsumer<B, String> set) {
    return new ParamSpec<>(name, doc, ParamType.TEXT, "", v -> true, "a path", get, set, true);
  }

  /**
   * A text parameter whose whole value matches {@code regex} (case as given); {@code constraint}
   * says in words what is expected ("WIDTHxHEIGHT, auto or none").
   */
  public static <C, B> ParamSpec<C, B, String> matching(
      String name,
      String doc,
      String def,
      String regex,
      String constraint,
      Function<C, String> get,
      BiConsumer<B, String> set) {
    java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
    return new ParamSpec<>(
        name,
        doc,
        ParamType.TEXT,
        def,
        v -> pattern.matcher(v).matches(),
        constraint,
        get,
        set,
        false);
  }

  private static String fmt(double d) {
    if (d == Double.POSITIVE_INFINITY) {
      return "inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.valueOf((long) d);
    }
    return String.valueOf(d);
  }
}
