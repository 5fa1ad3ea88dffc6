package io.sparkvae.spark.jobs;

import io.sparkvae.model.config.ParamSchema;
import io.sparkvae.model.config.ParamSpec;
import java.util.List;
import java.util.Locale;

/**
 * A titled group of declared options and the builder their values go into: the bridge between one
 * declaration per option ({@link ParamSpec}) and the command line, config files and {@code --help}.
 *
 * @param <C> the config type
 * @param <B> its builder
 */
public final class OptionGroup<C, B> {
  private final String title;
  private final ParamSchema<C, B> schema;
  private final B builder;

  /** A group writing into {@code builder}. */
  public OptionGroup(String title, List<ParamSpec<C, B, ?>> specs, B builder) {
    this.title = title;
    this.schema = new ParamSchema<>("option", specs);
    this.builder = builder;
  }

  /** The group's title in {@code --help}. */
  public String title() {
    return title;
  }

  /** The builder the values go into. */
  public B builder() {
    return builder;
  }

  /** The declared options. */
  public List<ParamSpec<C, B, ?>> specs() {
    return schema.specs();
  }

  /** The spec with this camelCase or kebab-case name, or null ({@link ParamSchema#find}). */
  public ParamSpec<C, B, ?> find(String name) {
    return schema.find(name);
  }

  /** {@code averagingSteps} → {@code averaging-steps}. */
  public static String kebab(String camel) {
    return io.sparkvae.model.config.ParamSchema.kebab(camel);
  }

  /** Lines of {@code --help} for this group. */
  public String help() {
    StringBuilder sb = new StringBuilder(title).append(":\n");
    for (ParamSpec<C, B, ?> p : schema.specs()) {
      sb.append(
          String.format(
              Locale.ROOT, "  --%-22s %s%n", kebab(p.name()) + " " + metavar(p), p.doc()));
      sb.append(
          String.format(
              Locale.ROOT, "  %-24s default: %s; %s%n", "", defaultText(p), p.constraint()));
    }
    return sb.toString();
  }

  private static String metavar(ParamSpec<?, ?, ?> p) {
    Class<?> t = p.type();
    if (t == Boolean.class) {
      return "[BOOL]";
    }
    if (t == Integer.class || t == Long.class) {
      return "N";
    }
    if (t == Double.class) {
      return "X";
    }
    if (t == int[].class) {
      return "N,N,..";
    }
    if (p.isPath()) {
      return "PATH";
    }
    return "VALUE";
  }

  private static <T> String defaultText(ParamSpec<?, ?, T> p) {
    String s = p.format(p.defaultValue());
    return s.isEmpty() ? "(none)" : s;
  }
}
