package io.sparkvae.spark.train;

import static io.sparkvae.model.config.ParamSpecs.choice;
import static io.sparkvae.model.config.ParamSpecs.doubleIn;
import static io.sparkvae.model.config.ParamSpecs.intAtLeast;

import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.config.ParamSchema;
import io.sparkvae.model.config.ParamSpec;
import java.io.Serializable;
import java.util.List;

/**
 * The settings of distributed training, each declared once (name, doc, default, validator) like
 * {@link io.sparkvae.model.config.VaeConfig}'s, and snapshotted into this immutable object before
 * any Spark job starts.
 *
 * <p>Over 400 lines because the declarations and the builder's typed setters are one per setting,
 * alike by design; move the declarations out (as {@code VaeConfigParams} did for VaeConfig) when it
 * grows further.
 */
public final class DistributedConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  private int epochs;
  private int replicas;
  private int averagingSteps;
  private ScaleOut scaleOut;
  private int replicaBatchSize;
  private int warmupRounds;
  private AdamState adamState;
  private int overlapSteps;
  private OuterOptimizerKind outerOptimizer;
  private double outerLearningRate;
  private double outerMomentum;
  private double validationFraction;
  private int evalBatchSize;
  private BadRowPolicy badRowPolicy;
  private OnDivergence divergencePolicy;
  private int maxRollbacks;

  /**
   * What to do with unusable rows, declared once for training, {@code VaeModel.transform} and the
   * score job ({@code ScoreJobOptions} rebinds it).
   */
  public static final ParamSpec<DistributedConfig, Builder, BadRowPolicy> BAD_ROW_POLICY =
      choice(
          "badRowPolicy",
          "Input rows with null features, the wrong size, NaN/Inf or (Bernoulli likelihood) values"
              + " outside [0, 1]: fail (stop with counts and the first rows) or skip (leave out,"
              + " count and log). Applies to training and to VaeModel.transform, where skip gives"
              + " such rows null outputs and null features give null outputs under either policy.",
          BadRowPolicy.class,
          BadRowPolicy.FAIL,
          c -> c.badRowPolicy,
          (b, v) -> b.c.badRowPolicy = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> EPOCHS =
      intAtLeast(
          "epochs",
          "Passes over the training data.",
          10,
          1,
          c -> c.epochs,
          (b, v) -> b.c.epochs = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> REPLICAS =
      intAtLeast(
          "replicas",
          "Model replicas, one per data shard (0: spark.default.parallelism).",
          0,
          0,
          c -> c.replicas,
          (b, v) -> b.c.replicas = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> AVERAGING_STEPS =
      intAtLeast(
          "averagingSteps",
          "Local minibatch steps each replica runs between two parameter averagings; an epoch's"
              + " last round runs what is left of the shard.",
          50,
          1,
          c -> c.averagingSteps,
          (b, v) -> b.c.averagingSteps = v);

  public static final ParamSpec<DistributedConfig, Builder, ScaleOut> SCALE_OUT =
      choice(
          "scaleOut",
          "How replicas share the work: auto (the global minibatch stays batchSize: each replica"
              + " takes its share, see replicaBatchSize and warmupRounds; the derived settings are logged"
              + " with their reasons) or off (every replica takes batchSize examples per step at"
              + " learningRate, so the global minibatch grows with the replicas).",
          ScaleOut.class,
          ScaleOut.AUTO,
          c -> c.scaleOut,
          (b, v) -> b.c.scaleOut = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> REPLICA_BATCH_SIZE =
      intAtLeast(
          "replicaBatchSize",
          "Examples per local step of each replica (0: derived, batchSize shared by the replicas so"
              + " that the global minibatch stays batchSize, at least "
              + io.sparkvae.model.averaging.ScaleOutPlan.MIN_REPLICA_BATCH
              + "; a larger global minibatch scales the learning rate by its square root).",
          0,
          0,
          c -> c.replicaBatchSize,
          (b, v) -> b.c.replicaBatchSize = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> WARMUP_ROUNDS =
      intAtLeast(
          "warmupRounds",
          "Rounds over which the learning rate rises linearly to its value (-1: derived, a quarter"
              + " epoch when the learning rate was scaled up for a larger global minibatch, else 0).",
          -1,
          -1,
          c -> c.warmupRounds,
          (b, v) -> b.c.warmupRounds = v);

  public static final ParamSpec<DistributedConfig, Builder, AdamState> ADAM_STATE =
      choice(
          "adamState",
          "Adam moments: averaged with the parameters every round, or local to each replica.",
          AdamState.class,
          AdamState.AVERAGED,
          c -> c.adamState,
          (b, v) -> b.c.adamState = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> OVERLAP_STEPS =
      intAtLeast(
          "overlapSteps",
          "Steps of the next round each replica runs from its own state while the driver averages"
              + " (0: none; less than averagingSteps). When the new global state arrives, the"
              + " replica moves them onto it (its state + (global - the state it sent)), so that"
              + " the round's fixed cost overlaps compute. Adam moments are then local to each"
              + " replica (adamState is not used); a replica whose executor is lost or whose task is"
              + " retried runs its round from the global state instead (logged).",
          0,
          0,
          c -> c.overlapSteps,
          (b, v) -> b.c.overlapSteps = v);

  public static final ParamSpec<DistributedConfig, Builder, OuterOptimizerKind> OUTER_OPTIMIZER =
      choice(
          "outerOptimizer",
          "Driver-side optimizer on the averaged update: none (plain averaging) or nesterov"
              + " (block momentum).",
          OuterOptimizerKind.class,
          OuterOptimizerKind.NESTEROV,
          c -> c.outerOptimizer,
          (b, v) -> b.c.outerOptimizer = v);

  public static final ParamSpec<DistributedConfig, Builder, Double> OUTER_LEARNING_RATE =
      doubleIn(
          "outerLearningRate",
          "Outer optimizer step size on the averaged update.",
          1.0,
          0,
          false,
          10,
          true,
          c -> c.outerLearningRate,
          (b, v) -> b.c.outerLearningRate = v);

  public static final ParamSpec<DistributedConfig, Builder, Double> OUTER_MOMENTUM =
      doubleIn(
          "outerMomentum",
          "Outer (block) momentum; only with outerOptimizer=nesterov.",
          0.7,
          0,
          true,
          1,
          false,
          c -> c.outerMomentum,
          (b, v) -> b.c.outerMomentum = v);

  public static final ParamSpec<DistributedConfig, Builder, Double> VALIDATION_FRACTION =
      doubleIn(
          "validationFraction",
          "Fraction of the input held out for validation when no validation set is given.",
          0.0,
          0,
          true,
          1,
          false,
          c -> c.validationFraction,
          (b, v) -> b.c.validationFraction = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> EVAL_BATCH_SIZE =
      intAtLeast(
          "evalBatchSize",
          "Rows per forward pass when evaluating.",
          1024,
          1,
          c -> c.evalBatchSize,
          (b, v) -> b.c.evalBatchSize = v);

  public static final ParamSpec<DistributedConfig, Builder, OnDivergence> DIVERGENCE_POLICY =
      choice(
          "divergencePolicy",
          "On a NaN or infinite loss or parameter: fail (stop with an error; checkpoints already"
              + " written stay) or rollback (redo the round from its start with half the learning"
              + " rate, at most maxRollbacks times).",
          OnDivergence.class,
          OnDivergence.FAIL,
          c -> c.divergencePolicy,
          (b, v) -> b.c.divergencePolicy = v);

  public static final ParamSpec<DistributedConfig, Builder, Integer> MAX_ROLLBACKS =
      intAtLeast(
          "maxRollbacks",
          "With divergencePolicy=rollback: rollbacks allowed over the whole run before it fails.",
          3,
          0,
          c -> c.maxRollbacks,
          (b, v) -> b.c.maxRollbacks = v);

  /** Every distributed setting. {@code replicas = 0} means {@code spark.default.parallelism}. */
  public static final List<ParamSpec<DistributedConfig, Builder, ?>> PARAMS =
      List.of(
          EPOCHS,
          REPLICAS,
          AVERAGING_STEPS,
          SCALE_OUT,
          REPLICA_BATCH_SIZE,
          WARMUP_ROUNDS,
          ADAM_STATE,
          OVERLAP_STEPS,
          OUTER_OPTIMIZER,
          OUTER_LEARNING_RATE,
          OUTER_MOMENTUM,
          VALIDATION_FRACTION,
          EVAL_BATCH_SIZE,
          BAD_ROW_POLICY,
          DIVERGENCE_POLICY,
          MAX_ROLLBACKS);

  /** The declarations above, with what every config class does with them. */
  public static final ParamSchema<DistributedConfig, Builder> SCHEMA =
      new ParamSchema<>("distributed training parameter", PARAMS);

  private DistributedConfig() {}

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Looks a setting up by name. */
  public static ParamSpec<DistributedConfig, Builder, ?> param(String name) {
    return SCHEMA.param(name);
  }

  public int epochs() {
    return epochs;
  }

  public int replicas() {
    return replicas;
  }

  public int averagingSteps() {
    return averagingSteps;
  }

  public ScaleOut scaleOut() {
    return scaleOut;
  }

  public int replicaBatchSize() {
    return replicaBatchSize;
  }

  public int warmupRounds() {
    return warmupRounds;
  }

  public AdamState adamState() {
    return adamState;
  }

  /** Whether Adam moments are averaged every round: {@code adamState=averaged}, no steps ahead. */
  public boolean averagesAdamState() {
    return adamState == AdamState.AVERAGED && overlapSteps == 0;
  }

  public int overlapSteps() {
    return overlapSteps;
  }

  public OuterOptimizerKind outerOptimizer() {
    return outerOptimizer;
  }

  public double outerLearningRate() {
    return outerLearningRate;
  }

  public double outerMomentum() {
    return outerMomentum;
  }

  public double validationFraction() {
    return validationFraction;
  }

  public int evalBatchSize() {
    return evalBatchSize;
  }

  public BadRowPolicy badRowPolicy() {
    return badRowPolicy;
  }

  public OnDivergence divergencePolicy() {
    return divergencePolicy;
  }

  /** True when a diverged round is rolled back rather than failing the run. */
  public boolean rollsBackOnDivergence() {
    return divergencePolicy == OnDivergence.ROLLBACK;
  }

  public int maxRollbacks() {
    return maxRollbacks;
  }

  /** A builder initialised with this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    SCHEMA.copy(this, b);
    return b;
  }

  @Override
  public String toString() {
    return SCHEMA.describe("DistributedConfig", this);
  }

  /** Mutable builder. */
  public static final class Builder {
    private DistributedConfig c = new DistributedConfig();

    private Builder() {
      SCHEMA.setDefaults(this);
    }

    /** Sets a setting by name from text. */
    public Builder set(String name, String value) {
      param(name).setFromString(this, value);
      return this;
    }

    /** Sets a setting by name from a typed value. */
    public Builder setValue(String name, Object value) {
      param(name).setUntyped(this, value);
      return this;
    }

    public Builder epochs(int v) {
      return with(EPOCHS, v);
    }

    public Builder replicas(int v) {
      return with(REPLICAS, v);
    }

    public Builder averagingSteps(int v) {
      return with(AVERAGING_STEPS, v);
    }

    public Builder scaleOut(ScaleOut v) {
      return with(SCALE_OUT, v);
    }

    public Builder replicaBatchSize(int v) {
      return with(REPLICA_BATCH_SIZE, v);
    }

    public Builder warmupRounds(int v) {
      return with(WARMUP_ROUNDS, v);
    }

    public Builder adamState(AdamState v) {
      return with(ADAM_STATE, v);
    }

    public Builder overlapSteps(int v) {
      return with(OVERLAP_STEPS, v);
    }

    public Builder outerOptimizer(OuterOptimizerKind v) {
      return with(OUTER_OPTIMIZER, v);
    }

    public Builder outerLearningRate(double v) {
      return with(OUTER_LEARNING_RATE, v);
    }

    public Builder outerMomentum(double v) {
      return with(OUTER_MOMENTUM, v);
    }

    public Builder validationFraction(double v) {
      return with(VALIDATION_FRACTION, v);
    }

    public Builder divergencePolicy(OnDivergence v) {
      return with(DIVERGENCE_POLICY, v);
    }

    public Builder maxRollbacks(int v) {
      return with(MAX_ROLLBACKS, v);
    }

    private <T> Builder with(ParamSpec<DistributedConfig, Builder, T> spec, T value) {
      spec.set(this, value);
      return this;
    }

    /** An immutable snapshot. */
    public DistributedConfig build() {
      DistributedConfig out = c;
      c = new DistributedConfig();
      SCHEMA.copy(out, this);
      return out;
    }
  }
}
