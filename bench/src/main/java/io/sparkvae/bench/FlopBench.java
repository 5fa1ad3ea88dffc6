package io.sparkvae.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.config.VaeConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The speed limit of this machine for the configured VAE: fp32 matrix-product (GEMM) GFLOP/s
 * measured with PyTorch through DJL on the network's own shapes, and the FLOP-bound samples/s of a
 * training step and of an encoding pass that follow from it and from {@link NetworkFlops}.
 *
 * <pre>
 * java -cp ... io.sparkvae.bench.FlopBench [--threads N] [--reps R] [--seconds S]
 *     [--encode-batch E] [--&lt;any VAE parameter&gt; value ...]
 * </pre>
 *
 * <p>The products: for each {@code Linear} layer {@code in → out} at a training batch of B rows
 * (the decoder's at {@code elboSamples}·B), the forward {@code [B,in]·[out,in]ᵀ} (the weight is
 * stored {@code [out,in]} and used transposed, as {@code Linear} does), the input gradient {@code
 * [B,out]·[out,in]} (not for a layer that reads the data: autograd skips it) and the weight
 * gradient {@code [B,out]ᵀ·[B,in]}; for encoding, the encoder's forward products at E rows (default
 * 1024, the batch of {@code EncodeBench}).
 *
 * <p>Each product is warmed up and its calls counted for {@code S} seconds, then timed over that
 * many calls in each of {@code R} repetitions (products interleaved within a repetition). A
 * repetition's rate for a whole step is the step's GEMM FLOPs over the sum of its products' times,
 * i.e. the rate the network's mix of shapes gets. Three modes: one intra-op thread; N intra-op
 * threads (one process using all cores, as the single-process trainer with {@code --threads N}); N
 * Java threads each running the products at one intra-op thread at the same time (N independent
 * streams, as N Spark replicas of one core each). PyTorch's intra-op thread count is set with
 * {@link JniUtils#setNumThreads} between modes.
 *
 * <p>The bound: samples/s = GEMM rate / {@link NetworkFlops#training()} (3 × forward, elementwise
 * operations counted at the GEMM rate, so it is an upper limit) for training, and GEMM rate /
 * {@link NetworkFlops#encode()} for encoding. Prints Markdown, and for scripts one line per bound:
 * {@code bound <train|encode> <single|intraop|streams> <median> <min> <max>} (samples/s).
 *
 * <p>Over 400 lines because it measures three modes (one thread, intra-op threads, concurrent
 * one-thread streams) and prints their tables; each part is its own method.
 */
public final class FlopBench {
  private FlopBench() {}

  /** How the second operand of a product is stored and used. */
  enum Op {
    /** {@code A[m,k] · B[n,k]ᵀ}: a forward {@code Linear}. */
    NT,
    /** {@code A[m,k] · B[k,n]}: an input gradient. */
    NN,
    /** {@code A[k,m]ᵀ · B[k,n]}: a weight gradient. */
    TN
  }

  /**
   * One matrix product {@code [m,k]·[k,n]} of the network.
   *
   * @param label layer and role, e.g. {@code enc.h0 forward}
   */
  record Gemm(String label, int m, int k, int n, Op op) {
    long flops() {
      return 2L * m * k * n;
    }

    String shape() {
      return switch (op) {
        case NT -> m + "×" + k + " · (" + n + "×" + k + ")ᵀ";
        case NN -> m + "×" + k + " · " + k + "×" + n;
        case TN -> "(" + k + "×" + m + ")ᵀ · " + k + "×" + n;
      };
    }
  }

  /** The products of one training step at {@code batch} rows. */
  static List<Gemm> trainingGemms(NetworkFlops flops, int batch) {
    List<Gemm> list = new ArrayList<>();
    int k = flops.config().elboSamples();
    for (NetworkFlops.Layer l : flops.layers()) {
      int rows = l.decoder() ? k * batch : batch;
      list.add(new Gemm(l.name() + " forward", rows, l.in(), l.out(), Op.NT));
      if (!flops.readsData(l)) {
        list.add(new Gemm(l.name() + " input gradient", rows, l.out(), l.in(), Op.NN));
      }
      list.add(new Gemm(l.name() + " weight gradient", l.out(), rows, l.in(), Op.TN));
    }
    return list;
  }

  /** The products of one encoding pass at {@code batch} rows. */
  static List<Gemm> encodingGemms(NetworkFlops flops, int batch) {
    List<Gemm> list = new ArrayList<>();
    for (NetworkFlops.Layer l : flops.layers()) {
      if (!l.decoder()) {
        list.add(new Gemm(l.name() + " encode", batch, l.in(), l.out(), Op.NT));
      }
    }
    return list;
  }

  /** The operands of one product in native memory, owned by the caller's manager. */
  private record Operands(NDArray a, NDArray b) {
    static Operands of(NDManager m, Gemm g) {
      NDArray a =
          g.op() == Op.TN
              ? m.randomUniform(-1, 1, new Shape(g.k(), g.m())).transpose()
              : m.randomUniform(-1, 1, new Shape(g.m(), g.k()));
      NDArray b =
          g.op() == Op.NT
              ? m.randomUniform(-1, 1, new Shape(g.n(), g.k())).transpose()
              : m.randomUniform(-1, 1, new Shape(g.k(), g.n()));
      return new Operands(a, b);
    }

    void run(int calls) {
      for (int i = 0; i < calls; i++) {
        // Closed at once: the timing covers the product and its output allocation only.
        a.matMul(b).close();
      }
    }
  }

  /** Median, min and max of a sample. */
  record Stats(double median, double min, double max) {
    static Stats of(double[] values) {
      double[] s = values.clone();
      Arrays.sort(s);
      int n = s.length;
      double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      return new Stats(median, s[0], s[n - 1]);
    }

    Stats scale(double f) {
      return new Stats(median * f, min * f, max * f);
    }

    String gflops() {
      return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", median / 1e9, min / 1e9, max / 1e9);
    }
  }

  /**
   * Rates of one mode: per product (null for concurrent streams) and per set (training, encoding),
   * FLOP/s.
   *
   * @param mode how the mode is named in the tables
   * @param key how it is named in the {@code bound} lines: {@code single}, {@code intraop} or
   *     {@code streams}
   */
  record ModeResult(String mode, String key, Stats[] perGemm, Stats train, Stats encode) {}

  /** Options of a run. */
  record Options(int threads, int reps, double seconds, int encodeBatch, VaeConfig config) {}

  /** Entry point; exits 2 on a usage error. */
  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(
          "usage: FlopBench [--threads N (default: available processors)] [--reps R (5)]"
              + " [--seconds S per product and repetition (0.1)] [--encode-batch E (1024)] [--<VAE parameter> value ...]");
      return;
    }
    try {
      run(parse(args), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }

  static Options parse(String[] args) {
    int threads = Runtime.getRuntime().availableProcessors();
    int reps = 5;
    double seconds = 0.1;
    int encodeBatch = 1024;
    VaeConfig.Builder builder = VaeConfig.builder();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value, got '" + a + "'");
      }
      String name = a.substring(2);
      String value = args[++i];
      switch (name) {
        case "threads" -> threads = positive(name, value);
        case "reps" -> reps = positive(name, value);
        case "encode-batch" -> encodeBatch = positive(name, value);
        case "seconds" -> {
          try {
            seconds = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            seconds = -1;
          }
          if (!(seconds > 0)) {
            throw new IllegalArgumentException(
                "invalid value for --seconds: '" + value + "' (expected > 0)");
          }
        }
        default -> builder.set(name, value);
      }
    }
    return new Options(threads, reps, seconds, encodeBatch, builder.build());
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "invalid value for --" + name + ": '" + value + "' (expected a positive integer)");
  }

  /** Measures and prints; returns the results of each mode (one thread first). */
  static List<ModeResult> run(Options o, PrintStream out) {
    Engine.getEngine("PyTorch"); // loads the natives before the first JniUtils call
    NetworkFlops flops = NetworkFlops.of(o.config());
    VaeConfig c = o.config();
    List<Gemm> train = trainingGemms(flops, c.batchSize());
    List<Gemm> encode = encodingGemms(flops, o.encodeBatch());
    List<Gemm> all = new ArrayList<>(train);
    all.addAll(encode);
    printFlopCounts(flops, c, out);

    List<ModeResult> results = new ArrayList<>();
    results.add(measureSequential("1 thread", "single", 1, o, train, encode));
    if (o.threads() > 1) {
      results.add(
          measureSequential(o.threads() + " threads", "intraop", o.threads(), o, train, encode));
      results.add(measureConcurrent(o.threads(), o, train, encode));
    }

    out.printf(
        Locale.ROOT,
        "fp32 GEMM GFLOP/s (PyTorch %s through DJL), median of %d repetitions (min–max), "
            + "training batch %d, encoding batch %d%n",
        Engine.getEngine("PyTorch").getVersion(),
        o.reps(),
        c.batchSize(),
        o.encodeBatch());
    out.println();
    printGemmRates(all, results, out);
    printBounds(flops, results, out);
    out.flush();
    return results;
  }

  private static void printFlopCounts(NetworkFlops flops, VaeConfig c, PrintStream out) {
    out.printf(Locale.ROOT, "FLOPs per example of %s%n", c);
    out.println(
        "(matrix products 2·in·out per Linear layer; elementwise operations one FLOP per element each, "
            + "exp and softplus included, a lower count)");
    out.println();
    out.println("| pass | matrix products | elementwise | total |");
    out.println("| --- | --- | --- | --- |");
    out.printf(
        Locale.ROOT,
        "| forward (encoder, %d× decoder, loss) | %d | %d | %d |%n",
        c.elboSamples(),
        flops.forwardGemm(),
        flops.forwardElementwise(),
        flops.forward());
    out.printf(
        Locale.ROOT,
        "| training step = 3 × forward | %d | %d | %d |%n",
        3 * flops.forwardGemm(),
        3 * flops.forwardElementwise(),
        flops.training());
    out.printf(
        Locale.ROOT,
        "| training, matrix products as autograd runs them (no input gradient for the data) | %d | | |%n",
        flops.trainingGemmAutograd());
    out.printf(
        Locale.ROOT,
        "| encoding (encoder, heads, exp) | %d | %d | %d |%n",
        flops.encoderGemm(),
        flops.encode() - flops.encoderGemm(),
        flops.encode());
    out.printf(
        Locale.ROOT,
        "| Adam update, per minibatch step (not in the bound) | | %d | %d (%.0f per example at batch %d) |%n",
        flops.adamPerStep(),
        flops.adamPerStep(),
        (double) flops.adamPerStep() / c.batchSize(),
        c.batchSize());
    out.println();
  }

  /** One row per product, one column per mode that measured products one by one. */
  private static void printGemmRates(List<Gemm> all, List<ModeResult> results, PrintStream out) {
    StringBuilder head = new StringBuilder("| product | shape | GFLOP/s, " + results.get(0).mode());
    StringBuilder rule = new StringBuilder("| --- | --- | ---");
    for (int r = 1; r < results.size(); r++) {
      if (results.get(r).perGemm() != null) {
        head.append(" | ").append(results.get(r).mode());
        rule.append(" | ---");
      }
    }
    out.println(head + " |");
    out.println(rule + " |");
    for (int g = 0; g < all.size(); g++) {
      StringBuilder row = new StringBuilder("| " + all.get(g).label() + " | " + all.get(g).shape());
      for (ModeResult r : results) {
        if (r.perGemm() != null) {
          row.append(" | ").append(r.perGemm()[g].gflops());
        }
      }
      out.println(row + " |");
    }
    out.println();
  }

  /** The FLOP bounds as a table, then as {@code bound ...} lines for the scripts that read them. */
  private static void printBounds(NetworkFlops flops, List<ModeResult> results, PrintStream out) {
    out.println(
        "| mode | GEMM GFLOP/s, training step mix | FLOP-bound training samples/s | GEMM GFLOP/s, encoding mix"
            + " | FLOP-bound encoding rows/s |");
    out.println("| --- | --- | --- | --- | --- |");
    for (ModeResult r : results) {
      Stats tb = r.train().scale(1.0 / flops.training());
      Stats eb = r.encode().scale(1.0 / flops.encode());
      out.printf(
          Locale.ROOT,
          "| %s | %s | %.0f (%.0f–%.0f) | %s | %.0f (%.0f–%.0f) |%n",
          r.mode(),
          r.train().gflops(),
          tb.median(),
          tb.min(),
          tb.max(),
          r.encode().gflops(),
          eb.median(),
          eb.min(),
          eb.max());
    }
    out.println();
    for (ModeResult r : results) {
      Stats tb = r.train().scale(1.0 / flops.training());
      Stats eb = r.encode().scale(1.0 / flops.encode());
      out.printf(
          Locale.ROOT, "bound train %s %.1f %.1f %.1f%n", r.key(), tb.median(), tb.min(), tb.max());
      out.printf(
          Locale.ROOT,
          "bound encode %s %.1f %.1f %.1f%n",
          r.key(),
          eb.median(),
          eb.min(),
          eb.max());
    }
  }

  /** One process, {@code threads} intra-op threads, products one after another. */
  static ModeResult measureSequential(
      String mode, String key, int threads, Options o, List<Gemm> train, List<Gemm> encode) {
    JniUtils.setNumThreads(threads);
    JniUtils.setGradMode(false);
    List<Gemm> all = new ArrayList<>(train);
    all.addAll(encode);
    double[][] secondsPerCall = new double[all.size()][o.reps()];
    try (NDManager m = NDManager.newBaseManager()) {
      Operands[] ops = new Operands[all.size()];
      int[] calls = new int[all.size()];
      for (int g = 0; g < all.size(); g++) {
        ops[g] = Operands.of(m, all.get(g));
        calls[g] = calibrate(ops[g], o.seconds());
      }
      for (int r = 0; r < o.reps(); r++) {
        for (int g = 0; g < all.size(); g++) {
          long t0 = System.nanoTime();
          ops[g].run(calls[g]);
          secondsPerCall[g][r] = (System.nanoTime() - t0) / 1e9 / calls[g];
        }
      }
    }
    Stats[] perGemm = new Stats[all.size()];
    for (int g = 0; g < all.size(); g++) {
      double[] rate = new double[o.reps()];
      for (int r = 0; r < o.reps(); r++) {
        rate[r] = all.get(g).flops() / secondsPerCall[g][r];
      }
      perGemm[g] = Stats.of(rate);
    }
    return new ModeResult(
        mode,
        key,
        perGemm,
        mix(all, secondsPerCall, 0, train.size(), o.reps()),
        mix(all, secondsPerCall, train.size(), all.size(), o.reps()));
  }

  /**
   * The rate of products {@code from..to} taken together in each repetition: their FLOPs over their
   * time.
   */
  private static Stats mix(List<Gemm> all, double[][] secondsPerCall, int from, int to, int reps) {
    double[] rate = new double[reps];
    for (int r = 0; r < reps; r++) {
      double f = 0;
      double t = 0;
      for (int g = from; g < to; g++) {
        f += all.get(g).flops();
        t += secondsPerCall[g][r];
      }
      rate[r] = f / t;
    }
    return Stats.of(rate);
  }

  /**
   * Warms a product up for about {@code seconds} and returns how many calls fit in that time (at
   * least 3).
   */
  private static int calibrate(Operands op, double seconds) {
    op.run(2);
    long t0 = System.nanoTime();
    int n = 0;
    while (System.nanoTime() - t0 < seconds * 1e9) {
      op.run(1);
      n++;
    }
    return Math.max(3, n);
  }

  /**
   * {@code streams} Java threads at one intra-op thread each, running the same products at the same
   * time; a set's rate is all streams' FLOPs over the wall time of the slowest.
   */
  static ModeResult measureConcurrent(int streams, Options o, List<Gemm> train, List<Gemm> encode) {
    JniUtils.setNumThreads(1);
    List<List<Gemm>> sets = List.of(train, encode);
    double[][] rates = new double[2][o.reps()];
    CyclicBarrier barrier = new CyclicBarrier(streams + 1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int[][] calls = new int[2][];
    // Calls per product from a one-thread calibration in this thread, shared by every stream.
    try (NDManager m = NDManager.newBaseManager()) {
      for (int s = 0; s < 2; s++) {
        calls[s] = new int[sets.get(s).size()];
        for (int g = 0; g < calls[s].length; g++) {
          calls[s][g] = calibrate(Operands.of(m, sets.get(s).get(g)), o.seconds());
        }
      }
    }
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < streams; t++) {
      Thread th =
          new Thread(
              () -> runStream(sets, calls, o.reps(), barrier, failure), "flopbench-stream-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    try {
      for (int r = 0; r < o.reps(); r++) {
        for (int s = 0; s < 2; s++) {
          barrier.await();
          long t0 = System.nanoTime();
          barrier.await();
          double wall = (System.nanoTime() - t0) / 1e9;
          double f = 0;
          for (int g = 0; g < calls[s].length; g++) {
            f += (double) calls[s][g] * sets.get(s).get(g).flops();
          }
          rates[s][r] = streams * f / wall;
        }
      }
      for (Thread th : threads) {
        th.join();
      }
    } catch (InterruptedException | BrokenBarrierException e) {
      Throwable cause = failure.get() != null ? failure.get() : e;
      throw new IllegalStateException("concurrent GEMM streams failed: " + cause, cause);
    }
    return new ModeResult(
        streams + " streams × 1 thread", "streams", null, Stats.of(rates[0]), Stats.of(rates[1]));
  }

  /**
   * One stream of {@link #measureConcurrent}: its own operands, then every repetition's product
   * sets between two barrier waits, so the measuring thread times all streams together.
   */
  private static void runStream(
      List<List<Gemm>> sets,
      int[][] calls,
      int reps,
      CyclicBarrier barrier,
      AtomicReference<Throwable> failure) {
    JniUtils.setGradMode(false); // thread-local in PyTorch, on by default in new threads
    try (NDManager m = NDManager.newBaseManager()) {
      Operands[][] ops = new Operands[sets.size()][];
      for (int s = 0; s < sets.size(); s++) {
        ops[s] = new Operands[sets.get(s).size()];
        for (int g = 0; g < ops[s].length; g++) {
          ops[s][g] = Operands.of(m, sets.get(s).get(g));
          ops[s][g].run(2);
        }
      }
      for (int r = 0; r < reps; r++) {
        for (int s = 0; s < sets.size(); s++) {
          barrier.await();
          for (int g = 0; g < ops[s].length; g++) {
            ops[s][g].run(calls[s][g]);
          }
          barrier.await();
        }
      }
    } catch (InterruptedException | BrokenBarrierException | RuntimeException e) {
      failure.compareAndSet(null, e);
      barrier.reset();
    }
  }
}
