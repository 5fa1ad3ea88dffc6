package io.sparkvae.model.cli;

import ai.djl.Device;
import io.sparkvae.model.config.ParamSchema;
import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.ParamSpecs;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.train.LocalTrainer;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.train.ShuffledBatches;
import io.sparkvae.model.train.TrainStats;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.VaeInference;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The single-process trainer on IDX data (MNIST layout): trains for N epochs, prints one line per
 * epoch (epoch, seconds, samples/s, train and test negative ELBO per example) and saves the model.
 *
 * <pre>
 * java -cp ... io.sparkvae.model.cli.TrainLocal --input data/mnist/train-images-idx3-ubyte \
 *     --validation-input data/mnist/t10k-images-idx3-ubyte --epochs 10 --model-out /tmp/vae
 *     [--threads N] [--iwae-samples K] [--train-limit N] [--&lt;any VAE parameter&gt; value ...]
 * </pre>
 *
 * <p>Every option is declared once ({@link Options#SCHEMA}, {@link VaeConfig#SCHEMA}) and spelled
 * as {@code train.sh} spells it: kebab-case ({@code --latent-dim}; camelCase is accepted too);
 * {@code --help} lists each with its doc, default and constraint.
 */
public final class TrainLocal {
  private TrainLocal() {}

  /** Entry point; exits 2 on a usage error, 1 on a failure. */
  public static void main(String[] args) {
    quietWithoutLoggingProvider();
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("run with --help for the options");
      System.exit(2);
    } catch (Exception e) {
      System.err.println("error: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** The path of a file that exists, or a usage error naming the option. */
  private static Path existing(String file, String option) {
    Path p = Path.of(file);
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw new IllegalArgumentException(
          option
              + " "
              + file
              + " is not a file (for MNIST run"
              + " submit-scripts/fetch-data.sh, from the project's folder)");
    }
    return p;
  }

  /**
   * The app jar leaves SLF4J's provider to Spark, so {@code java -cp app.jar TrainLocal} has none,
   * and SLF4J would print three "No SLF4J providers were found" warnings on every run before it
   * falls back to its no-op logger. Without a provider on the class path, choose that no-op logger
   * explicitly (SLF4J's {@code slf4j.provider} setting, its own notice of the choice silenced by
   * {@code slf4j.internal.verbosity}); with one (model-lib's own class path has log4j), or when the
   * user chose one, nothing changes.
   */
  static void quietWithoutLoggingProvider() {
    if (System.getProperty("slf4j.provider") != null
        || java.util.ServiceLoader.load(org.slf4j.spi.SLF4JServiceProvider.class)
            .iterator()
            .hasNext()) {
      return;
    }
    System.setProperty("slf4j.internal.verbosity", "WARN");
    System.setProperty(
        "slf4j.provider", org.slf4j.helpers.NOP_FallbackServiceProvider.class.getName());
  }

  /**
   * The options that are not hyperparameters, each declared once (name, doc, default, validator).
   */
  static final class Options {
    private String input;
    private String validationInput;
    private int epochs;
    private String modelOut;
    private int threads;
    private String device;
    private int iwaeSamples;
    private int trainLimit;

    static final ParamSchema<Options, Options> SCHEMA =
        new ParamSchema<>(
            "option",
            List.of(
                ParamSpecs.text(
                    "input",
                    "Training images: an IDX file of unsigned bytes, plain or gzipped (as train.sh's"
                        + " --input with --input-format idx; no labels needed).",
                    "data/mnist/train-images-idx3-ubyte",
                    false,
                    o -> o.input,
                    (o, v) -> o.input = v),
                ParamSpecs.text(
                    "validationInput",
                    "Images the model is evaluated on after each epoch (test_neg_elbo), in the"
                        + " same format.",
                    "data/mnist/t10k-images-idx3-ubyte",
                    false,
                    o -> o.validationInput,
                    (o, v) -> o.validationInput = v),
                ParamSpecs.intAtLeast(
                    "epochs",
                    "Passes over the training set.",
                    10,
                    1,
                    o -> o.epochs,
                    (o, v) -> o.epochs = v),
                ParamSpecs.text(
                    "modelOut",
                    "Where to save the model (replaced atomically; empty: not saved).",
                    "",
                    true,
                    o -> o.modelOut,
                    (o, v) -> o.modelOut = v),
                ParamSpecs.intAtLeast(
                    "threads",
                    "PyTorch intra-op threads (0: PyTorch's default).",
                    0,
                    0,
                    o -> o.threads,
                    (o, v) -> o.threads = v),
                ParamSpecs.matching(
                    "device",
                    "Where to train: cpu, gpu or gpu:N (a GPU needs the -Pgpu build).",
                    "cpu",
                    "(?i)cpu|gpu|gpu:\\d+",
                    "cpu, gpu or gpu:N",
                    o -> o.device,
                    (o, v) -> o.device = v),
                ParamSpecs.intAtLeast(
                    "iwaeSamples",
                    "Also report the importance-weighted bound with this many samples"
                        + " (1: not).",
                    1,
                    1,
                    o -> o.iwaeSamples,
                    (o, v) -> o.iwaeSamples = v),
                ParamSpecs.intAtLeast(
                    "trainLimit",
                    "Train on the first this-many examples only (0: all).",
                    0,
                    0,
                    o -> o.trainLimit,
                    (o, v) -> o.trainLimit = v)));

    Options() {
      SCHEMA.setDefaults(this);
    }

    int epochs() {
      return epochs;
    }

    String modelOut() {
      return modelOut;
    }
  }

  /** The parsed command line: the options and the hyperparameters given. */
  record Parsed(Options options, VaeConfig.Builder vae) {}

  /**
   * Parses the command line: {@code --name value} or {@code --name=value}, each name in kebab-case
   * ({@code --latent-dim}, as {@code train.sh} takes it) or camelCase ({@code --latentDim}); the
   * last of two spellings of one option wins.
   *
   * @return null when {@code --help} was asked for (the help is printed)
   * @throws IllegalArgumentException naming an unknown option, a missing or invalid value
   */
  static Parsed parse(String[] args, PrintStream out) {
    Options options = new Options();
    VaeConfig.Builder vae = VaeConfig.builder();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        usage(out);
        return null;
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
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option --" + name + " needs a value");
        }
        value = args[++i];
      }
      if (!set(Options.SCHEMA, options, name, value) && !set(VaeConfig.SCHEMA, vae, name, value)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    return new Parsed(options, vae);
  }

  private static <C, B> boolean set(
      ParamSchema<C, B> schema, B builder, String name, String value) {
    ParamSpec<C, B, ?> spec = schema.find(name);
    if (spec == null) {
      return false;
    }
    try {
      spec.setFromString(builder, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
    }
    return true;
  }

  static int run(String[] args, PrintStream out) throws Exception {
    Parsed parsed = parse(args, out);
    if (parsed == null) {
      return 0;
    }
    Options o = parsed.options();
    if (o.threads > 0) {
      // Read once when the engine starts: must be set before the first NDManager.
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(o.threads));
    }
    Device device = device(o.device);
    VaeConfig.Builder builder = parsed.vae();
    Dataset train = Dataset.fromIdx(existing(o.input, "--input"), null);
    Dataset test = Dataset.fromIdx(existing(o.validationInput, "--validation-input"), null);
    if (o.trainLimit > 0) {
      train = train.head(Math.min(train.rows(), o.trainLimit));
    }
    VaeConfig config = builder.inputDim(train.dim()).build();
    out.printf(
        Locale.ROOT,
        "training %s on %d examples (%d test) for %d epochs%n",
        config,
        train.rows(),
        test.rows(),
        o.epochs);

    train(config, train, test, o, device, out);
    return 0;
  }

  /** Trains for {@code o.epochs}, printing one line per epoch, then saves the model if asked. */
  private static void train(
      VaeConfig config, Dataset train, Dataset test, Options o, Device device, PrintStream out)
      throws java.io.IOException {
    int iwaeSamples = o.iwaeSamples;
    ParamLayout layout = ParamLayout.of(config);
    TrainingState state = TrainingState.initial(ParamInit.initialize(layout, config.seed()));
    ShuffledBatches batches =
        new ShuffledBatches(
            train.features(),
            train.rows(),
            train.dim(),
            config.batchSize(),
            Seeds.derive(config.seed(), 1));
    SplittableRandom noise = new SplittableRandom(Seeds.derive(config.seed(), 2));
    Evaluation.Result last = null;
    out.println(
        "epoch\tseconds\tsamples/s\ttrain_neg_elbo\ttest_neg_elbo"
            + (iwaeSamples > 1 ? "\ttest_neg_iwae" : ""));
    out.println("device " + device);
    try (LocalTrainer trainer = new LocalTrainer(config, state, device)) {
      for (int epoch = 1; epoch <= o.epochs; epoch++) {
        TrainStats stats = trainer.train(batches, batches.batchesPerEpoch(), noise);
        try (VaeInference model = new VaeInference(config, trainer.snapshot().params(), device)) {
          last =
              Evaluation.evaluate(
                  model, test, 1000, iwaeSamples, Seeds.derive(config.seed(), 3, epoch));
        }
        printEpoch(out, epoch, stats, last, iwaeSamples);
      }
      if (!o.modelOut.isEmpty()) {
        save(config, trainer.snapshot().params(), o, last, out);
      }
    }
  }

  private static void printEpoch(
      PrintStream out, int epoch, TrainStats stats, Evaluation.Result last, int iwaeSamples) {
    out.printf(
        Locale.ROOT,
        "%d\t%.1f\t%.0f\t%.2f\t%.2f%s%n",
        epoch,
        stats.seconds(),
        stats.examples() / stats.seconds(),
        stats.meanLoss(),
        last.negElbo(),
        iwaeSamples > 1 ? String.format(Locale.ROOT, "\t%.2f", last.negIwae()) : "");
    out.flush();
  }

  private static void save(
      VaeConfig config, float[] params, Options o, Evaluation.Result last, PrintStream out)
      throws java.io.IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    // The metadata vocabulary of spark-job's VaeEstimator.
    meta.put("trainedBy", TrainLocal.class.getName());
    meta.put("epochs", String.valueOf(o.epochs));
    if (last != null) {
      meta.put("testNegElbo", String.valueOf(last.negElbo()));
    }
    Path target = Path.of(o.modelOut);
    ModelFormat.save(new TrainedVae(config, params, meta), target, true);
    out.println("model saved to " + target.toAbsolutePath());
  }

  /** "cpu", or "gpu" / "gpu:N" (the first or the N-th CUDA device; an error when there is none). */
  static Device device(String name) {
    String v = name.trim().toLowerCase(Locale.ROOT);
    if (v.equals("cpu")) {
      return Device.cpu();
    }
    if (v.equals("gpu") || v.startsWith("gpu:")) {
      int id;
      try {
        id = v.equals("gpu") ? 0 : Integer.parseInt(v.substring(4));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "invalid value for --device: '" + name + "' (expected cpu, gpu or gpu:N)");
      }
      int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
      if (id < 0 || id >= gpus) {
        throw new IllegalArgumentException(
            "--device "
                + name
                + ": this machine's PyTorch sees "
                + gpus
                + " GPUs (a GPU needs the CUDA build: mvn -Pgpu package, and a CUDA driver)");
      }
      return Device.gpu(id);
    }
    throw new IllegalArgumentException(
        "invalid value for --device: '" + name + "' (expected cpu, gpu or gpu:N)");
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: TrainLocal [options]   (kebab-case as shown, or camelCase: --latent-dim or --latentDim)");
    out.println("Options:");
    help(out, Options.SCHEMA);
    out.println("Model and optimizer:");
    help(out, VaeConfig.SCHEMA);
  }

  private static <C, B> void help(PrintStream out, ParamSchema<C, B> schema) {
    for (ParamSpec<C, B, ?> p : schema.specs()) {
      out.printf(Locale.ROOT, "  --%-22s %s%n", ParamSchema.kebab(p.name()), p.doc());
      out.printf(Locale.ROOT, "    %-22s default: %s; %s%n", "", fmt(p), p.constraint());
    }
  }

  private static <C, B, T> String fmt(ParamSpec<C, B, T> p) {
    String s = p.format(p.defaultValue());
    return s.isEmpty() ? "(none)" : s;
  }
}
