package io.sparkvae.model.cli;

import ai.djl.Device;
import io.sparkvae.model.config.ParamSpec;
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
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The single-process trainer on IDX data (MNIST layout): trains for N epochs, prints one line per
 * epoch (epoch, seconds, samples/s, train and test negative ELBO per example) and saves the model.
 *
 * <pre>
 * java -cp ... io.sparkvae.model.cli.TrainLocal --data data/mnist --epochs 10 --model-out /tmp/vae
 *     [--threads N] [--iwae-samples K] [--train-limit N] [--&lt;any VAE parameter&gt; value ...]
 * </pre>
 */
public final class TrainLocal {
  private TrainLocal() {}

  /** Entry point; exits 2 on a usage error, 1 on a failure. */
  public static void main(String[] args) {
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

  static int run(String[] args, PrintStream out) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    VaeConfig.Builder builder = VaeConfig.builder();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        usage(out);
        return 0;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option --" + name + " needs a value");
      }
      String value = args[++i];
      switch (name) {
        case "data", "epochs", "model-out", "threads", "iwae-samples", "train-limit", "device" -> options.put(name, value);
        default -> {
          try {
            VaeConfig.param(name);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown option --" + name);
          }
          builder.set(name, value);
        }
      }
    }
    int epochs = positiveInt(options, "epochs", 10);
    int iwaeSamples = positiveInt(options, "iwae-samples", 1);
    if (options.containsKey("threads")) {
      // Read once when the engine starts: must be set before the first NDManager.
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(positiveInt(options, "threads", 1)));
    }
    Device device = device(options.getOrDefault("device", "cpu"));
    Path dir = Path.of(options.getOrDefault("data", "data/mnist"));
    Dataset train = Dataset.mnist(dir, true);
    Dataset test = Dataset.mnist(dir, false);
    if (options.containsKey("train-limit")) {
      train = train.head(Math.min(train.rows(), positiveInt(options, "train-limit", train.rows())));
    }
    VaeConfig config = builder.inputDim(train.dim()).build();
    out.printf(Locale.ROOT, "training %s on %d examples (%d test) for %d epochs%n", config, train.rows(), test.rows(), epochs);

    ParamLayout layout = ParamLayout.of(config);
    TrainingState state = TrainingState.initial(ParamInit.initialize(layout, config.seed()));
    ShuffledBatches batches =
        new ShuffledBatches(train.features(), train.rows(), train.dim(), config.batchSize(), Seeds.derive(config.seed(), 1));
    SplittableRandom noise = new SplittableRandom(Seeds.derive(config.seed(), 2));
    Evaluation.Result last = null;
    out.println("epoch\tseconds\tsamples/s\ttrain_neg_elbo\ttest_neg_elbo" + (iwaeSamples > 1 ? "\ttest_neg_iwae" : ""));
    out.println("device " + device);
    try (LocalTrainer trainer = new LocalTrainer(config, state, device)) {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        TrainStats stats = trainer.train(batches, batches.batchesPerEpoch(), noise);
        try (VaeInference model = new VaeInference(config, trainer.snapshot().params(), device)) {
          last = Evaluation.evaluate(model, test, 1000, iwaeSamples, Seeds.derive(config.seed(), 3, epoch));
        }
        out.printf(Locale.ROOT, "%d\t%.1f\t%.0f\t%.2f\t%.2f%s%n", epoch, stats.seconds(),
            stats.examples() / stats.seconds(), stats.meanLoss(), last.negElbo(),
            iwaeSamples > 1 ? String.format(Locale.ROOT, "\t%.2f", last.negIwae()) : "");
        out.flush();
      }
      if (options.containsKey("model-out")) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("trainedBy", TrainLocal.class.getName()); // the metadata vocabulary of spark-job's VaeEstimator
        meta.put("epochs", String.valueOf(epochs));
        if (last != null) {
          meta.put("testNegElbo", String.valueOf(last.negElbo()));
        }
        Path target = Path.of(options.get("model-out"));
        ModelFormat.save(new TrainedVae(config, trainer.snapshot().params(), meta), target, true);
        out.println("model saved to " + target.toAbsolutePath());
      }
    }
    return 0;
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
        throw new IllegalArgumentException("invalid value for --device: '" + name + "' (expected cpu, gpu or gpu:N)");
      }
      int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
      if (id < 0 || id >= gpus) {
        throw new IllegalArgumentException("--device " + name + ": this machine's PyTorch sees " + gpus
            + " GPUs (a GPU needs the CUDA build: mvn -Pgpu package, and a CUDA driver)");
      }
      return Device.gpu(id);
    }
    throw new IllegalArgumentException("invalid value for --device: '" + name + "' (expected cpu, gpu or gpu:N)");
  }

  private static int positiveInt(Map<String, String> options, String name, int def) {
    String v = options.get(name);
    if (v == null) {
      return def;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value for --" + name + ": '" + v + "' (expected a positive integer)");
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: TrainLocal [options]");
    out.println("  --data DIR           IDX files in MNIST layout (default data/mnist)");
    out.println("  --epochs N           passes over the training set (default 10)");
    out.println("  --model-out DIR      where to save the model (replaced atomically)");
    out.println("  --threads N          PyTorch intra-op threads");
    out.println("  --device D           cpu (default), gpu or gpu:N (needs the -Pgpu build)");
    out.println("  --iwae-samples K     also report the importance-weighted bound with K samples");
    out.println("  --train-limit N      train on the first N examples only");
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> p : VaeConfig.PARAMS) {
      out.printf(Locale.ROOT, "  --%-19s %s (default %s; %s)%n", p.name(), p.doc(), fmt(p), p.constraint());
    }
  }

  private static <T> String fmt(ParamSpec<VaeConfig, VaeConfig.Builder, T> p) {
    return p.format(p.defaultValue());
  }
}
