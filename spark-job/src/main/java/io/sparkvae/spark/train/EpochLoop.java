package io.sparkvae.spark.train;

import io.sparkvae.model.averaging.AveragingSums;
import io.sparkvae.model.averaging.OuterStep;
import io.sparkvae.model.averaging.ScaleOutPlan;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.train.TrainingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's loop over epochs and rounds: each round runs on the cluster ({@link RoundRunner}),
 * is combined through the plan's outer step ({@link RoundOutcome}), rolled back or stopped on
 * divergence ({@link DivergencePolicy}); each epoch ends with validation and metrics, and the
 * {@link TrainingListener} hears of epochs and progress.
 */
final class EpochLoop {
  private static final Logger LOG = LoggerFactory.getLogger(EpochLoop.class);

  private final ScaleOutPlan plan;
  private final DistributedConfig dist;
  private final RoundRunner rounds;
  private final OuterStep outer;
  private final DivergencePolicy divergence;
  private final TrainingRequest request;

  /** Evaluates the validation set after an epoch; null without one. */
  private final Validation validate;

  private final TrainingProgress start;
  private final int replicas;
  private final SkippedRows skippedTraining;
  private final SkippedRows skippedValidation;

  private TrainingState state;
  private long round;

  /** Steps of the next round the replicas run ahead after the round just run (overlapSteps). */
  private int ranAhead;

  private final List<EpochMetrics> history;

  EpochLoop(
      ScaleOutPlan plan,
      DistributedConfig dist,
      RoundRunner rounds,
      TrainingRequest request,
      TrainingProgress start,
      Validation validate,
      SkippedRows skippedTraining,
      SkippedRows skippedValidation) {
    this.plan = plan;
    this.dist = dist;
    this.rounds = rounds;
    this.request = request;
    this.validate = validate;
    this.start = start;
    this.replicas = plan.replicas();
    this.skippedTraining = skippedTraining;
    this.skippedValidation = skippedValidation;
    this.outer = plan.outerStep();
    this.outer.restore(start.velocity());
    // Rollbacks before a resume halved the learning rate already: go on from where they left it.
    this.divergence = new DivergencePolicy(dist, plan.config().learningRate(), start.rollbacks());
    this.state = start.state();
    this.round = start.rounds();
    this.history = new ArrayList<>(start.history());
  }

  /**
   * Runs the epochs left after the start and returns the result.
   *
   * @param configAsGiven the configuration the result names (the caller's, before the plan derived
   *     the replicas' minibatch and rate from it)
   */
  TrainingResult run(VaeConfig configAsGiven) {
    for (int epoch = start.epochsDone(); epoch < dist.epochs(); epoch++) {
      boolean resumedHere = epoch == start.epochsDone();
      // A run resumed in the middle of an epoch picks up at the same minibatch, with the epoch's
      // statistics so far.
      TrainingProgress.EpochSoFar soFar =
          runRounds(
              epoch,
              resumedHere ? start.stepInEpoch() : 0,
              resumedHere ? start.epochSoFar() : TrainingProgress.EpochSoFar.NONE);
      finishEpoch(epoch, soFar);
    }
    return new TrainingResult(configAsGiven, state, history, replicas, divergence.rollbacks());
  }

  private TrainingProgress.EpochSoFar runRounds(
      int epoch, int firstStep, TrainingProgress.EpochSoFar soFar) {
    int steps = plan.averagingSteps();
    int batchesPerEpoch = plan.batchesPerEpoch();
    // Read at the epoch's ends and around a mid-epoch progress only: a reading lists the JVM's
    // threads (about 1 ms), too slow for every round.
    double jitMark = CompilerTime.seconds();
    for (int done = firstStep; done < batchesPerEpoch; done += steps) {
      long roundStart = System.nanoTime();
      int stepsNow = Math.min(steps, batchesPerEpoch - done);
      int nextSteps = Math.min(steps, batchesPerEpoch - done - stepsNow);
      boolean nextStartsEpoch = nextSteps <= 0 && aheadAcrossEpochEnd(epoch);
      if (nextStartsEpoch) {
        nextSteps = Math.min(steps, batchesPerEpoch);
      }
      AveragingSums sums = runRound(epoch, done, stepsNow, stepsAhead(nextSteps), nextStartsEpoch);
      round++;
      soFar =
          soFar.plus(
              sums.stats().lossSum(),
              sums.stats().examples(),
              (System.nanoTime() - roundStart) / 1e9,
              rounds.computeSpan(sums.stats().seconds()),
              sums.stats().cpuSeconds());
      boolean last = done + stepsNow >= batchesPerEpoch;
      if (!last
          && request.progressEveryRounds() > 0
          && round % request.progressEveryRounds() == 0) {
        soFar = soFar.plusDriverJit(CompilerTime.seconds() - jitMark);
        request
            .listener()
            .onProgress(
                rounds.withMoments(
                    new TrainingProgress(
                        epoch,
                        done + stepsNow,
                        round,
                        state,
                        outer.state(),
                        history,
                        soFar,
                        divergence.rollbacks(),
                        List.of())));
        jitMark = CompilerTime.seconds();
      }
    }
    return soFar.plusDriverJit(CompilerTime.seconds() - jitMark);
  }

  /**
   * Whether the replicas may run the next epoch's first steps ahead while the driver averages the
   * last round of epoch {@code epoch} and validates: not after the last epoch, and not when the
   * listener keeps the progress reported at the epoch's end (a checkpoint then holds no steps
   * ahead, so a run resumed from it continues exactly).
   */
  private boolean aheadAcrossEpochEnd(int epoch) {
    return epoch + 1 < dist.epochs() && !request.listener().keepsProgress();
  }

  /**
   * Steps of the next round to run ahead after this one: {@code overlapSteps}, at most the next
   * round's steps ({@code nextSteps}: 0 at the end of an epoch unless {@link
   * #aheadAcrossEpochEnd}), and none before a progress report inside an epoch (a checkpoint then
   * holds no steps ahead, so a resumed run continues exactly).
   */
  private int stepsAhead(int nextSteps) {
    boolean progressAfter =
        request.progressEveryRounds() > 0 && (round + 1) % request.progressEveryRounds() == 0;
    return nextSteps <= 0 || progressAfter ? 0 : Math.min(dist.overlapSteps(), nextSteps);
  }

  /**
   * Runs one round until it does not diverge (a rolled-back round runs again from the same state,
   * round number, so the same noise, and shard position, with half the learning rate, and without
   * steps run ahead) and keeps its outcome as the new state.
   */
  private AveragingSums runRound(
      int epoch, int done, int steps, int runAhead, boolean nextStartsEpoch) {
    int totalRounds = (int) ((long) plan.roundsPerEpoch() * dist.epochs());
    String where =
        String.format(
            Locale.ROOT,
            "epoch %d/%d, round %d/%d",
            epoch + 1,
            dist.epochs(),
            round + 1,
            totalRounds);
    for (int attempt = 0; ; attempt++) {
      VaeConfig cfg = divergence.apply(plan.configForRound(round));
      // A resumed run's replicas start from their checkpointed moments.
      ReplicaMoments[] initialMoments =
          !plan.averagesAdamState() && round == start.rounds() && !start.replicaMoments().isEmpty()
              ? start.replicaMoments().toArray(new ReplicaMoments[0])
              : null;
      RoundInput input =
          new RoundInput(
              rounds.runId(),
              cfg,
              state,
              round,
              epoch,
              done,
              steps,
              !plan.averagesAdamState(),
              initialMoments,
              rounds.keepReplicas());
      if (dist.overlapSteps() > 0) {
        input =
            input.withOverlap(
                new RoundInput.Overlap(
                    attempt == 0 ? ranAhead : 0,
                    runAhead,
                    runAhead == 0 ? null : divergence.apply(plan.configForRound(round + 1)),
                    runAhead > 0 && nextStartsEpoch));
      }
      AveragingSums sums =
          rounds.run(
              input,
              String.format(
                  Locale.ROOT,
                  "epoch %d/%d · round %d/%d%s",
                  epoch + 1,
                  dist.epochs(),
                  round + 1,
                  totalRounds,
                  attempt == 0 ? "" : " · after rollback " + divergence.rollbacks()));
      RoundOutcome outcome = RoundOutcome.combine(sums, state, outer, replicas);
      if (outcome.divergence() == null) {
        state = outcome.state();
        ranAhead = runAhead;
        return sums;
      }
      // A loss not finite before any update is not cured by a smaller step: say so at once.
      String hopeless = StartingPointDivergence.describe(sums, state, cfg, where);
      if (hopeless != null) {
        throw new TrainingDivergedException(hopeless, epoch + 1, round + 1, divergence.rollbacks());
      }
      divergence.onDivergence(where, outcome.divergence(), cfg.learningRate(), epoch, round);
    }
  }

  /**
   * What the epoch's core-seconds went to, by CPU time: {@code "; replicas' steps used 6.1 of 8.2
   * core-seconds (74 %), the driver's JIT 0.7 s"}, and on a cluster {@code ", the executors' JIT
   * 1.2 s"}; empty when unknown.
   */
  static String coreUse(EpochMetrics m) {
    StringBuilder b = new StringBuilder();
    double coreSeconds = m.seconds() * m.taskCores();
    if (Double.isFinite(m.replicaCpuSeconds()) && m.taskCores() > 0 && coreSeconds > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "; replicas' steps used %.1f of %.1f core-seconds (%.0f %%)",
              m.replicaCpuSeconds(),
              coreSeconds,
              100 * m.replicaCpuSeconds() / coreSeconds));
    }
    appendSeconds(b, "the driver's JIT", m.driverJitSeconds());
    appendSeconds(b, "the executors' JIT", m.executorJitSeconds());
    return b.toString();
  }

  /** Appends {@code ", what 1.2 s"} (or {@code "; ..."} first) when the seconds are known. */
  private static void appendSeconds(StringBuilder b, String what, double seconds) {
    if (Double.isFinite(seconds)) {
      b.append(b.length() == 0 ? "; " : ", ")
          .append(String.format(Locale.ROOT, "%s %.1f s", what, seconds));
    }
  }

  private void finishEpoch(int epoch, TrainingProgress.EpochSoFar soFar) {
    double seconds = soFar.seconds();
    long examples = soFar.examples();
    // What the replicas measured in the epoch's last round.
    long lastRss = rounds.lastRoundRss();
    double val = Double.NaN;
    if (validate != null) {
      val = validate.evaluate(epoch, state.params()).negElbo();
    }
    EpochMetrics m =
        new EpochMetrics(
            epoch + 1,
            soFar.lossSum() / examples,
            val,
            examples / seconds,
            seconds,
            Math.max(0, seconds - soFar.computeSeconds()),
            soFar.rounds(),
            examples,
            state.step(),
            round,
            rounds.payloadBytes(),
            lastRss,
            skippedTraining,
            skippedValidation,
            soFar.replicaCpuSeconds(),
            soFar.driverJitSeconds(),
            rounds.executorJitSinceLastCall(),
            rounds.taskCores());
    LOG.info(
        String.format(
            Locale.ROOT,
            "epoch %d/%d: train -ELBO %.2f, validation -ELBO %s, %.0f samples/s, %.1f s of %.1f s outside replica"
                + " compute%s",
            m.epoch(),
            dist.epochs(),
            m.trainNegElbo(),
            Double.isNaN(val) ? "none" : String.format(Locale.ROOT, "%.2f", val),
            m.samplesPerSec(),
            m.averagingSeconds(),
            m.seconds(),
            coreUse(m)));
    history.add(m);
    request.listener().onEpoch(m);
    request
        .listener()
        .onProgress(
            rounds.withMoments(
                new TrainingProgress(
                    epoch + 1, round, state, outer.state(), history, divergence.rollbacks())));
  }

  /** The validation set's mean −ELBO under given parameters after a (0-based) epoch. */
  interface Validation {
    Evaluation.Result evaluate(int epoch, float[] params);
  }
}
