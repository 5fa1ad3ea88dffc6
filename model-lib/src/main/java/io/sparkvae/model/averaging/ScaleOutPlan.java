package io.sparkvae.model.averaging;

import io.sparkvae.model.config.VaeConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings a run with R replicas trains with, derived from the data size, R and the configured
 * (single-process) minibatch, each with the reason it was chosen, and each overridable.
 *
 * <p>Why: averaging R replicas that each took H steps on minibatches of b examples moves the model
 * about as far as H steps of one trainer on minibatches of R·b (local SGD, to first order). With a
 * per-replica minibatch of B (the configured one) an epoch holds R times fewer such steps than the
 * single process takes, and quality per epoch collapses as R grows (8 replicas: 130 nats after 2
 * epochs of shifted MNIST where one process has 110). So by default the <em>global</em> minibatch
 * stays B: each replica takes {@code b = ceil(B / R)} examples per step, and an averaging round is
 * worth H single-process steps whatever R is. Below {@link #MIN_REPLICA_BATCH} a step's fixed cost
 * dominates its compute, so b stops there; the global minibatch then grows to R·b and the learning
 * rate follows Adam's square-root scaling rule (Malladi et al. 2022) with a linear warm-up (Goyal
 * et al. 2017) over the first rounds.
 *
 * @param replicas R
 * @param config the configuration the replicas train with: {@code batchSize} is the per-replica
 *     minibatch b and {@code learningRate} the rate after warm-up
 * @param averagingSteps local steps between two averagings (H)
 * @param warmupRounds rounds over which the learning rate rises linearly to its value (0: none)
 * @param batchesPerEpoch minibatches of the largest shard in one epoch (every replica's epoch ends
 *     with the largest's)
 * @param roundsPerEpoch averaging rounds in one epoch
 * @param outerOptimizer the outer step's kind
 * @param outerLearningRate the outer step size
 * @param outerMomentum the outer (block) momentum
 * @param averagesAdamState whether Adam's moments are averaged with the parameters
 * @param reasons one line per derived setting: what it is and why
 * @param warnings settings that will not learn well, with what to change
 */
public record ScaleOutPlan(
    int replicas,
    VaeConfig config,
    int averagingSteps,
    int warmupRounds,
    int batchesPerEpoch,
    int roundsPerEpoch,
    OuterOptimizerKind outerOptimizer,
    double outerLearningRate,
    double outerMomentum,
    boolean averagesAdamState,
    List<String> reasons,
    List<String> warnings)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The smallest per-replica minibatch chosen automatically. A training step has a fixed cost (on
   * the 2-core AMD EPYC of docs/BENCHMARKS.md §5: t(b) = 5.81 ms + 0.0845 ms × b, the fixed part
   * worth 69 rows), so a step of 16 rows costs 84 % of one of 32 for half the examples. Measured on
   * shifted MNIST (§5): 16 replicas of 32 (global minibatch 512) need 2 epochs to 115 nats, as 16
   * replicas of 16 (global 256) do, in 1,172 steps per epoch instead of 2,344; 32 replicas of 32
   * need 3 epochs where 32 of 16 need 2, in a quarter of the steps. Below 32, more steps buy less
   * than they cost.
   */
  public static final int MIN_REPLICA_BATCH = 32;

  /**
   * Fewer averaging rounds per epoch than this draw a warning. (With the global minibatch fixed an
   * epoch has N / (batchSize · averagingSteps) rounds whatever R is; the quickstart's 60,000 MNIST
   * rows give 5 and learn well, the 8 replicas of minibatch 256 of the scale-out issue had 6 rounds
   * per epoch of a 600,000-row set and did not: what they lacked was steps per epoch, which the
   * shared minibatch restores. Below 4 rounds the average is taken too rarely to steer.)
   */
  public static final int MIN_ROUNDS_PER_EPOCH = 4;

  public ScaleOutPlan {
    reasons = List.copyOf(reasons);
    warnings = List.copyOf(warnings);
  }

  /**
   * What a run asks for.
   *
   * @param base the configuration as given ({@code batchSize} = B, the single-process minibatch)
   * @param replicas R
   * @param shardRows the rows of the largest shard (an epoch has as many rounds as it needs)
   * @param averagingSteps H as configured
   * @param replicaBatchSize per-replica minibatch, or 0 to derive it
   * @param warmupRounds warm-up rounds, or -1 to derive them
   * @param derive false: every replica trains with the base configuration as given ({@code
   *     batchSize} per replica, {@code learningRate} unscaled, no warm-up unless set): the global
   *     minibatch grows with R
   */
  public record Request(
      VaeConfig base,
      int replicas,
      long shardRows,
      int averagingSteps,
      int replicaBatchSize,
      int warmupRounds,
      boolean derive,
      OuterOptimizerKind outerOptimizer,
      double outerLearningRate,
      double outerMomentum,
      boolean averagesAdamState) {}

  /** Derives the plan for a request. */
  public static ScaleOutPlan derive(Request r) {
    List<String> reasons = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    int big = r.base().batchSize();
    int b = replicaBatch(r, reasons);
    long global = (long) b * r.replicas();
    double rate = r.base().learningRate();
    if (global > big && r.derive()) {
      rate = r.base().learningRate() * Math.sqrt((double) global / big);
      reasons.add(
          String.format(
              Locale.ROOT,
              "learningRate %s: the global minibatch %d is %s x batchSize %d, and Adam's rate scales with the"
                  + " square root of the batch (configured %s)",
              fmt(rate),
              global,
              fmt((double) global / big),
              big,
              fmt(r.base().learningRate())));
    }
    int batches = (int) ceilDiv(r.shardRows(), b);
    int rounds = Math.max(1, (batches + r.averagingSteps() - 1) / r.averagingSteps());
    int warmup = warmup(r, global > big && r.derive(), rounds, reasons);
    if (rounds < MIN_ROUNDS_PER_EPOCH) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "only %d averaging rounds per epoch (%d rows per replica, minibatches of %d, averagingSteps %d): too"
                  + " few outer steps to learn well; lower averagingSteps (e.g. to %d), use fewer replicas or more data",
              rounds,
              r.shardRows(),
              b,
              r.averagingSteps(),
              Math.max(1, batches / MIN_ROUNDS_PER_EPOCH)));
    }
    VaeConfig cfg = r.base().toBuilder().batchSize(b).learningRate(rate).build();
    return new ScaleOutPlan(
        r.replicas(),
        cfg,
        r.averagingSteps(),
        warmup,
        batches,
        rounds,
        r.outerOptimizer(),
        r.outerLearningRate(),
        r.outerMomentum(),
        r.averagesAdamState(),
        reasons,
        warnings);
  }

  private static int replicaBatch(Request r, List<String> reasons) {
    int big = r.base().batchSize();
    if (r.replicaBatchSize() > 0) {
      reasons.add("replicaBatchSize " + r.replicaBatchSize() + " (set)");
      return r.replicaBatchSize();
    }
    if (!r.derive()) {
      return big;
    }
    int b = (int) Math.max(Math.min(big, MIN_REPLICA_BATCH), ceilDiv(big, r.replicas()));
    if (r.replicas() > 1) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "replicaBatchSize %d: batchSize %d shared by %d replicas%s, so that a round of averagingSteps steps"
                  + " is worth as many single-process steps",
              b,
              big,
              r.replicas(),
              b * (long) r.replicas() > big
                  ? " (at least "
                      + MIN_REPLICA_BATCH
                      + ": smaller steps cost more than they"
                      + " compute)"
                  : ""));
    }
    return b;
  }

  private static int warmup(Request r, boolean scaled, int roundsPerEpoch, List<String> reasons) {
    if (r.warmupRounds() >= 0) {
      if (r.warmupRounds() > 0) {
        reasons.add("warmupRounds " + r.warmupRounds() + " (set)");
      }
      return r.warmupRounds();
    }
    if (!scaled) {
      return 0; // also with derive=false: nothing was scaled
    }
    int w = Math.max(1, roundsPerEpoch / 4);
    reasons.add(
        String.format(
            Locale.ROOT,
            "warmupRounds %d: the scaled learning rate rises linearly over the first quarter epoch",
            w));
    return w;
  }

  /**
   * This plan with a KL warm-up derived by the caller (who knows the run's length): every round
   * trains with {@code klWarmupSteps = steps}, and {@code reason} joins the reasons that {@link
   * #describe} logs.
   */
  public ScaleOutPlan withKlWarmupSteps(long steps, String reason) {
    List<String> why = new ArrayList<>(reasons);
    why.add(reason);
    return new ScaleOutPlan(
        replicas,
        config.toBuilder().klWarmupSteps(steps).build(),
        averagingSteps,
        warmupRounds,
        batchesPerEpoch,
        roundsPerEpoch,
        outerOptimizer,
        outerLearningRate,
        outerMomentum,
        averagesAdamState,
        why,
        warnings);
  }

  /**
   * The configuration round {@code round} (0-based, of the run) trains with: the warm-up applied.
   */
  public VaeConfig configForRound(long round) {
    if (round >= warmupRounds) {
      return config;
    }
    return config.toBuilder()
        .learningRate(config.learningRate() * (round + 1) / (warmupRounds + 1))
        .build();
  }

  /** A fresh outer step of this plan's kind (its state starts empty). */
  public OuterStep outerStep() {
    return outerOptimizer.create(outerLearningRate, outerMomentum);
  }

  /** One line for the log: the settings and why. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%d replicas, minibatches of %d per replica, learningRate %s%s, averagingSteps %d (%d rounds per epoch),"
            + " outer step %s%s",
        replicas,
        config.batchSize(),
        fmt(config.learningRate()),
        warmupRounds > 0 ? " after " + warmupRounds + " warm-up rounds" : "",
        averagingSteps,
        roundsPerEpoch,
        outerStep(),
        reasons.isEmpty() ? "" : "; " + String.join("; ", reasons));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
