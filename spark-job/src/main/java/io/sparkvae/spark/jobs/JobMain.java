package io.sparkvae.spark.jobs;

import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape every job's {@code main} shares: parse and validate the options before Spark starts
 * ({@code --help} prints and exits 0; a bad option exits 2 naming it), run on a session that is
 * always stopped, and exit 1 with the root cause on any failure.
 */
final class JobMain {
  private static final Logger LOG = LoggerFactory.getLogger(JobMain.class);

  /** A job body: runs on a session and returns the line to print on success. */
  @FunctionalInterface
  interface Body<P> {
    String run(SparkSession spark, P parsed) throws Exception;
  }

  private JobMain() {}

  static <P> void run(
      String[] args,
      Function<String[], P> parse,
      Function<P, String> appName,
      String failure,
      Body<P> body) {
    P parsed;
    try {
      parsed = parse.apply(args);
    } catch (CommandLine.HelpRequested h) {
      System.out.print(h.getMessage());
      return;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("run with --help for the options");
      System.exit(2);
      return;
    }
    int status = 0;
    SparkSession spark = SparkSession.builder().appName(appName.apply(parsed)).getOrCreate();
    try {
      String done = body.run(spark, parsed);
      if (done != null) {
        System.out.println(done);
      }
    } catch (Exception e) {
      if (isUserError(e)) {
        // The message says what to change; a stack trace before it would bury it.
        LOG.debug(failure, e);
      } else {
        LOG.error(failure, e);
      }
      System.err.println("error: " + failure + ": " + printable(rootMessage(e)) + hint(e));
      status = 1;
    } finally {
      spark.stop();
    }
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Whether a failure is about the input or the options (a refused output folder, a bad column, a
   * diverged run, another run holding a lock) rather than a fault of the program or the platform:
   * an {@link IllegalArgumentException} or {@link IllegalStateException} thrown by the job itself.
   */
  static boolean isUserError(Throwable e) {
    StackTraceElement[] at = e.getStackTrace();
    return (e instanceof IllegalArgumentException || e instanceof IllegalStateException)
        && at.length > 0
        && at[0].getClassName().startsWith("io.sparkvae.");
  }

  /**
   * What to check when Spark's own message does not say it: a driver refused by a secured master
   * sees only unanswered registrations and then a stopped SparkContext.
   */
  static String hint(Throwable e) {
    String all = rootMessage(e);
    if (all.contains("All masters are unresponsive") || all.contains("stopped SparkContext")) {
      return " (if the cluster runs with authentication, this driver may lack its secret or have another one:"
          + " check SPARKVAE_AUTH_SECRET_FILE or SPARKVAE_AUTH_SECRET)";
    }
    return "";
  }

  /** Longest message printed; beyond it a foreign message is cut, with the length said. */
  static final int MAX_MESSAGE_CHARS = 2000;

  /**
   * A message fit for a terminal: a foreign message can quote the bytes of a binary file (a parser
   * that met a Parquet file), whose control characters garble the terminal; each run of them (and
   * of undecodable characters) becomes one {@code ?}, and a very long message is cut.
   */
  static String printable(String message) {
    StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS + 64));
    boolean inRun = false;
    int i = 0;
    for (; i < message.length() && out.length() < MAX_MESSAGE_CHARS; i++) {
      char c = message.charAt(i);
      boolean unprintable = c == '\uFFFD' || (Character.isISOControl(c) && c != '\n' && c != '\t');
      if (unprintable && !inRun) {
        out.append('?');
      } else if (!unprintable) {
        out.append(c);
      }
      inRun = unprintable;
    }
    if (i < message.length()) {
      out.append("... (").append(message.length()).append(" characters in all)");
    }
    return out.toString();
  }

  /** The message of an exception and, when different, of its root cause. */
  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (caused by " + c + ")";
  }
}
