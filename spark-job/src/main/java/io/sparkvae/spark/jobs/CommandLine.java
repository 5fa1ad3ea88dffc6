package io.sparkvae.spark.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sparkvae.model.config.ParamSpec;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Parses a job's options: defaults, then {@code --config FILE} (HOCON, keys in camelCase or
 * kebab-case), then the command line, so that {@code defaults < file < command line}. Every value
 * is validated by its declaration as it is read, and any unknown option or bad value fails before
 * Spark starts, naming the option.
 */
public final class CommandLine {
  /** The user asked for {@code --help}. */
  public static final class HelpRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HelpRequested(String text) {
      super(text);
    }
  }

  private final List<OptionGroup<?, ?>> groups;
  private final String usage;
  private final Set<String> given = new TreeSet<>();

  /** A command line over these option groups. */
  public CommandLine(String usage, List<OptionGroup<?, ?>> groups) {
    this.usage = usage;
    this.groups = groups;
  }

  /**
   * Applies config files and arguments to the groups' builders.
   *
   * @throws IllegalArgumentException for an unknown option, a missing or invalid value
   * @throws HelpRequested carrying the help text when {@code --help} is given
   */
  public void parse(String[] args) {
    // By declared name, so that two spellings of one option are one entry and the last one wins.
    Map<String, String[]> cli = new LinkedHashMap<>();
    List<String> configFiles = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        throw new HelpRequested(help());
      }
      if (!a.startsWith("--") || a.length() == 2) {
        throw new IllegalArgumentException(
            "unexpected argument '" + a + "' (options start with --)");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      ParamSpec<?, ?, ?> spec = name.equals("config") ? null : find(name);
      if (!name.equals("config") && spec == null) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
      if (value == null) {
        boolean isFlag =
            spec != null
                && spec.type() == Boolean.class
                && (i + 1 >= args.length || args[i + 1].startsWith("--"));
        if (isFlag) {
          value = "true";
        } else if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option --" + name + " needs a value");
        } else {
          value = args[++i];
        }
      }
      if (name.equals("config")) {
        configFiles.add(value);
      } else {
        cli.remove(spec.name());
        cli.put(spec.name(), new String[] {name, value});
      }
    }
    for (String f : configFiles) {
      applyFile(f);
    }
    cli.values().forEach(nv -> apply(nv[0], nv[1], "--" + nv[0]));
  }

  /** The declared (camelCase) names of the options a config file or the command line set. */
  public Set<String> given() {
    return Collections.unmodifiableSet(given);
  }

  private void applyFile(String path) {
    File file = new File(path);
    if (!file.isFile()) {
      throw new IllegalArgumentException("config file " + path + " does not exist");
    }
    Config conf;
    try {
      conf = ConfigFactory.parseFile(file).resolve();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "config file " + path + " cannot be read: " + e.getMessage(), e);
    }
    Map<String, String> spelled = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : conf.entrySet()) {
      String key = e.getKey().replace("\"", "");
      ConfigValue v = e.getValue();
      String text =
          v.valueType() == ConfigValueType.LIST
              ? ((List<?>) v.unwrapped())
                  .stream().map(String::valueOf).collect(Collectors.joining(","))
              : String.valueOf(v.unwrapped());
      ParamSpec<?, ?, ?> spec = find(key);
      if (spec == null) {
        throw new IllegalArgumentException("unknown option '" + key + "' in config file " + path);
      }
      String before = spelled.put(spec.name(), key);
      if (before != null) {
        throw new IllegalArgumentException(
            "config file "
                + path
                + " sets "
                + spec.name()
                + " twice, as '"
                + before
                + "' and '"
                + key
                + "': keep one");
      }
      if (spec.isPath()) {
        text = fromFolderOf(file, text);
      }
      apply(key, text, "'" + key + "' in " + path);
    }
  }

  /**
   * A path read from a config file: a relative one is taken from the file's folder, so that a file
   * names its data where they lie whatever the current directory (on the command line a relative
   * path stays relative to the current directory). Absolute paths and URIs ({@code hdfs://...},
   * {@code s3a://...}, {@code file:...}) are left as they are.
   */
  static String fromFolderOf(File configFile, String path) {
    if (path.isEmpty() || new File(path).isAbsolute() || URI_SCHEME.matcher(path).lookingAt()) {
      return path;
    }
    return configFile.getAbsoluteFile().toPath().getParent().resolve(path).normalize().toString();
  }

  private static final java.util.regex.Pattern URI_SCHEME =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");

  private void apply(String name, String value, String where) {
    for (OptionGroup<?, ?> g : groups) {
      if (applyIn(g, name, value, where)) {
        return;
      }
    }
    throw new IllegalArgumentException("unknown option " + where);
  }

  private <C, B> boolean applyIn(OptionGroup<C, B> g, String name, String value, String where) {
    ParamSpec<C, B, ?> spec = g.find(name);
    if (spec == null) {
      return false;
    }
    try {
      spec.setFromString(g.builder(), value);
      given.add(spec.name());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
    return true;
  }

  private ParamSpec<?, ?, ?> find(String name) {
    for (OptionGroup<?, ?> g : groups) {
      ParamSpec<?, ?, ?> p = g.find(name);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  /** The full help text: usage and every option with its default and doc. */
  public String help() {
    StringBuilder sb = new StringBuilder(usage).append("\n\n");
    sb.append("  --config FILE            HOCON file of options (camelCase or kebab-case keys);\n");
    sb.append(
        "                           precedence: defaults < config files < command line; a relative\n");
    sb.append("                           path in a file is taken from the file's folder\n\n");
    for (OptionGroup<?, ?> g : groups) {
      sb.append(g.help()).append('\n');
    }
    return sb.toString();
  }
}
