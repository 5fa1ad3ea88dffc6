package io.sparkvae.spark.train;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a round: the global state and where in the epoch the
 * round starts. Plain arrays only, no native object.
 *
 * <p>With local Adam moments the global moments are those the run started from and stay so; they
 * are broadcast once per run beside the rounds ({@link #withoutMoments}, {@link
 * #state(TrainingState)}), and a round carries only the parameters.
 *
 * @param runId identifies the training run (keys executor-side caches)
 * @param params the global parameters
 * @param adamM the global Adam first moment; null when it travels in the run's broadcast
 * @param adamV the global Adam second moment; null likewise
 * @param step the global Adam step counter
 * @param round global round number (0-based), seeds the noise of the round
 * @param epoch 0-based epoch of the round
 * @param stepInEpoch minibatches each replica has already run in this epoch
 * @param steps maximum minibatches each replica runs this round
 * @param initialMoments with local Adam state, the first round of a resumed run: each replica's
 *     moments from the checkpoint, by partition (an array: Kryo 4 cannot read immutable lists);
 *     otherwise null
 * @param keepReplicas whether replicas stay on their executors between rounds ({@link
 *     ReplicaCache})
 * @param overlap the steps the replicas ran ahead for this round and run ahead after it ({@code
 *     overlapSteps})
 */
public record RoundInput(
    String runId,
    VaeConfig config,
    float[] params,
    float[] adamM,
    float[] adamV,
    long step,
    long round,
    int epoch,
    int stepInEpoch,
    int steps,
    boolean localAdamState,
    ReplicaMoments[] initialMoments,
    boolean keepReplicas,
    Overlap overlap)
    implements Serializable {

  /**
   * What a round with {@code overlapSteps} says about steps run ahead ({@link RunAhead}).
   *
   * @param ranAhead steps of this round each replica ran ahead after the previous round, from its
   *     own state, which it moves onto this round's global state (0: none)
   * @param runAhead steps of the next round to run ahead after this one (0: none)
   * @param next the configuration of the next round (its learning rate), null when {@code runAhead}
   *     is 0
   * @param nextStartsEpoch whether the next round is the first of the next epoch: the steps ahead
   *     are then the first of that epoch's shuffle
   */
  public record Overlap(int ranAhead, int runAhead, VaeConfig next, boolean nextStartsEpoch)
      implements Serializable {
    /** No steps ahead, before or after. */
    public static final Overlap NONE = new Overlap(0, 0, null, false);
  }

  /** This round with other steps ahead. */
  public RoundInput withOverlap(Overlap o) {
    return new RoundInput(
        runId,
        config,
        params,
        adamM,
        adamV,
        step,
        round,
        epoch,
        stepInEpoch,
        steps,
        localAdamState,
        initialMoments,
        keepReplicas,
        o);
  }

  /** A round starting from the whole global state {@code state}. */
  public RoundInput(
      String runId,
      VaeConfig config,
      TrainingState state,
      long round,
      int epoch,
      int stepInEpoch,
      int steps,
      boolean localAdamState,
      ReplicaMoments[] initialMoments,
      boolean keepReplicas) {
    this(
        runId,
        config,
        state.params(),
        state.adamM(),
        state.adamV(),
        state.step(),
        round,
        epoch,
        stepInEpoch,
        steps,
        localAdamState,
        initialMoments,
        keepReplicas,
        Overlap.NONE);
  }

  /** A round whose replicas are not kept between rounds. */
  public RoundInput(
      String runId,
      VaeConfig config,
      TrainingState state,
      long round,
      int epoch,
      int stepInEpoch,
      int steps,
      boolean localAdamState,
      ReplicaMoments[] initialMoments) {
    this(
        runId,
        config,
        state,
        round,
        epoch,
        stepInEpoch,
        steps,
        localAdamState,
        initialMoments,
        false);
  }

  /** Whether the global moments travel with this round (else in the run's broadcast). */
  public boolean hasMoments() {
    return adamM != null;
  }

  /** The global state this round starts from. */
  public TrainingState state() {
    if (!hasMoments()) {
      throw new IllegalStateException(
          "round " + round + " carries no Adam moments: they are in the run's broadcast");
    }
    return new TrainingState(params, adamM, adamV, step);
  }

  /**
   * The global state this round starts from, its moments taken from {@code runMoments} (the run's
   * broadcast) when the round carries none.
   */
  public TrainingState state(TrainingState runMoments) {
    return hasMoments() || runMoments == null
        ? state()
        : new TrainingState(params, runMoments.adamM(), runMoments.adamV(), step);
  }

  /**
   * This round without the global moments (with local moments: they travel once per run instead).
   */
  public RoundInput withoutMoments() {
    return new RoundInput(
        runId,
        config,
        params,
        null,
        null,
        step,
        round,
        epoch,
        stepInEpoch,
        steps,
        localAdamState,
        initialMoments,
        keepReplicas,
        overlap);
  }
}
