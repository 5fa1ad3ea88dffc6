package io.sparkvae.model.train;

import static io.sparkvae.model.Allclose.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LocalTrainerTest {
  static final VaeConfig SMALL =
      VaeConfig.builder()
          .inputDim(20)
          .encoderHidden(16)
          .decoderHidden(16)
          .latentDim(4)
          .batchSize(8)
          .learningRate(1e-2)
          .build();

  static float[] data(int rows, int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble() < 0.3 ? 1f : (float) r.nextDouble() * 0.2f;
    }
    return x;
  }

  static TrainingState run(VaeConfig c, int steps, long noiseSeed) {
    float[] x = data(50, c.inputDim(), 1);
    TrainingState s0 = TrainingState.initial(ParamInit.initialize(ParamLayout.of(c), c.seed()));
    try (LocalTrainer t = new LocalTrainer(c, s0, Device.cpu())) {
      t.train(
          new ShuffledBatches(x, 50, c.inputDim(), c.batchSize(), 3),
          steps,
          new SplittableRandom(noiseSeed));
      return t.snapshot();
    }
  }

  static TrainingState run(
      VaeConfig c, int steps, long noiseSeed, boolean fused, TrainingState reload) {
    float[] x = data(50, c.inputDim(), 1);
    TrainingState s0 = TrainingState.initial(ParamInit.initialize(ParamLayout.of(c), c.seed()));
    try (LocalTrainer t = new LocalTrainer(c, s0, Device.cpu(), fused)) {
      assertEquals(fused, t.fusedAdam(), "the CPU replica must use the update it was asked for");
      if (reload != null) {
        t.load(reload);
      }
      t.train(
          new ShuffledBatches(x, 50, c.inputDim(), c.batchSize(), 3),
          steps,
          new SplittableRandom(noiseSeed));
      return t.snapshot();
    }
  }

  @Test
  void cpuSecondsCountTheStepsTimeOnACoreNotTheTimeSpentWaiting() throws Exception {
    VaeConfig c = SMALL;
    float[] x = data(50, c.inputDim(), 1);
    ShuffledBatches rows = new ShuffledBatches(x, 50, c.inputDim(), c.batchSize(), 3);
    // A source that sleeps before each minibatch: wall-clock time the thread spends off a core.
    BatchSource slow =
        dst -> {
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return rows.nextBatch(dst);
        };
    TrainingState s0 = TrainingState.initial(ParamInit.initialize(ParamLayout.of(c), c.seed()));
    try (LocalTrainer t = new LocalTrainer(c, s0, Device.cpu())) {
      TrainStats busy = t.train(rows, 20, new SplittableRandom(1));
      assertTrue(busy.cpuSeconds() > 0, "CPU seconds of 20 steps: " + busy);
      // A thread cannot use more CPU time than wall-clock time (the JVM's clock ticks allowed).
      assertTrue(busy.cpuSeconds() <= busy.seconds() + 0.02, busy.toString());
      TrainStats sleepy = t.train(slow, 4, new SplittableRandom(2));
      assertTrue(sleepy.seconds() >= 0.4, sleepy.toString());
      assertTrue(sleepy.cpuSeconds() < sleepy.seconds() - 0.3, "sleep is no CPU time: " + sleepy);
      TrainStats both = busy.plus(sleepy);
      assertEquals(busy.cpuSeconds() + sleepy.cpuSeconds(), both.cpuSeconds());
    }
  }

  @Test
  void fusedCpuAdamAgreesWithTheTensorOperations() {
    // Wider layers than SMALL, so that PyTorch's vectorized kernels (and the JIT's) run full lanes.
    VaeConfig c =
        SMALL.toBuilder().inputDim(48).encoderHidden(40).decoderHidden(36).latentDim(6).build();
    // One step: the same gradient gives the same moments, bit for bit. The parameters differ by
    // about an ulp at most: PyTorch's vectorized sqrt on AVX-512 is not correctly rounded (761 of
    // 4,480 square roots of this network's v differed from IEEE's in the last bit), Java's is.
    TrainingState tensor1 = run(c, 1, 5, false, null);
    TrainingState fused1 = run(c, 1, 5, true, null);
    assertArrayEquals(tensor1.adamM(), fused1.adamM());
    assertArrayEquals(tensor1.adamV(), fused1.adamV());
    for (int i = 0; i < tensor1.params().length; i++) {
      assertClose(
          tensor1.params()[i], fused1.params()[i], 0, 3e-8, "parameter " + i + " after one step");
    }
    // Many steps: the last-bit differences do not grow into a different run (measured: 1.4e-7 at
    // most after 200 steps at learning rate 1e-2).
    TrainingState tensor = run(c, 200, 5, false, null);
    TrainingState fused = run(c, 200, 5, true, null);
    assertEquals(tensor.step(), fused.step());
    for (int i = 0; i < tensor.params().length; i++) {
      assertClose(
          tensor.params()[i], fused.params()[i], 0, 1e-6, "parameter " + i + " after 200 steps");
    }
    // load() replaces the state on both paths alike (a round starting from the averaged state).
    TrainingState tensorAgain = run(c, 25, 7, false, tensor);
    TrainingState fusedAgain = run(c, 25, 7, true, tensor);
    assertEquals(225, fusedAgain.step());
    for (int i = 0; i < tensor.params().length; i++) {
      assertClose(
          tensorAgain.params()[i],
          fusedAgain.params()[i],
          0,
          1e-6,
          "parameter " + i + " after a load");
    }
  }

  @Test
  void anAdoptedLearningRateTrainsLikeAReplicaBuiltWithIt() {
    VaeConfig slower = SMALL.toBuilder().learningRate(3e-3).build();
    TrainingState expected = run(slower, 3, 7);
    float[] x = data(50, SMALL.inputDim(), 1);
    TrainingState s0 =
        TrainingState.initial(ParamInit.initialize(ParamLayout.of(SMALL), SMALL.seed()));
    try (LocalTrainer t = new LocalTrainer(SMALL, s0, Device.cpu())) {
      // A replica that trained with another rate, then reloaded: what a kept replica does each
      // round.
      t.train(
          new ShuffledBatches(x, 50, SMALL.inputDim(), SMALL.batchSize(), 9),
          2,
          new SplittableRandom(1));
      assertTrue(t.adopt(slower));
      t.load(s0);
      t.train(
          new ShuffledBatches(x, 50, SMALL.inputDim(), SMALL.batchSize(), 3),
          3,
          new SplittableRandom(7));
      TrainingState got = t.snapshot();
      assertArrayEquals(expected.params(), got.params());
      assertArrayEquals(expected.adamV(), got.adamV());
      assertFalse(
          t.adopt(SMALL.toBuilder().latentDim(5).build()), "another network is not a rate change");
      assertFalse(t.adopt(SMALL.toBuilder().batchSize(16).build()), "nor another minibatch");
    }
  }

  @Test
  void sameSeedGivesTheSameBits() {
    TrainingState a = run(SMALL, 30, 5);
    TrainingState b = run(SMALL, 30, 5);
    assertArrayEquals(a.params(), b.params());
    assertArrayEquals(a.adamM(), b.adamM());
    assertArrayEquals(a.adamV(), b.adamV());
    assertEquals(30, a.step());
    TrainingState c = run(SMALL, 30, 6);
    assertTrue(
        !java.util.Arrays.equals(a.params(), c.params()),
        "another noise seed must give other parameters");
  }

  @Test
  void twoTrainersInTwoThreadsAtOnceMatchTheSequentialRuns() throws Exception {
    TrainingState seqA = run(SMALL, 40, 1);
    TrainingState seqB = run(SMALL, 40, 2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<TrainingState> a = pool.submit(() -> run(SMALL, 40, 1));
      Future<TrainingState> b = pool.submit(() -> run(SMALL, 40, 2));
      assertArrayEquals(seqA.params(), a.get().params());
      assertArrayEquals(seqB.params(), b.get().params());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void splitRunsContinueExactlyLikeOneRun() {
    // Rounds of a distributed run: snapshot, reload, continue. Adam's step counter must carry on.
    float[] x = data(50, SMALL.inputDim(), 1);
    TrainingState s0 = TrainingState.initial(ParamInit.initialize(ParamLayout.of(SMALL), 1));
    TrainingState whole;
    SplittableRandom noise = new SplittableRandom(9);
    try (LocalTrainer t = new LocalTrainer(SMALL, s0, Device.cpu())) {
      t.train(new ShuffledBatches(x, 50, 20, 8, 3), 20, noise);
      whole = t.snapshot();
    }
    SplittableRandom noise2 = new SplittableRandom(9);
    ShuffledBatches batches = new ShuffledBatches(x, 50, 20, 8, 3);
    TrainingState mid;
    try (LocalTrainer t = new LocalTrainer(SMALL, s0, Device.cpu())) {
      t.train(batches, 7, noise2);
      mid = t.snapshot();
    }
    assertEquals(7, mid.step());
    try (LocalTrainer t = new LocalTrainer(SMALL, mid, Device.cpu())) {
      t.train(batches, 13, noise2);
      assertArrayEquals(whole.params(), t.snapshot().params());
      assertEquals(20, t.step());
    }
  }

  @Test
  void firstAdamStepMovesEachParameterByTheLearningRate() {
    // After one step m^ = g and v^ = g^2, so each parameter moves by lr * g / (|g| + eps) ~ lr.
    VaeConfig c = SMALL.toBuilder().learningRate(1e-3).build();
    float[] p0 = ParamInit.initialize(ParamLayout.of(c), 4);
    TrainingState s1;
    try (LocalTrainer t = new LocalTrainer(c, TrainingState.initial(p0), Device.cpu())) {
      t.train(new ShuffledBatches(data(8, 20, 2), 8, 20, 8, 1), 1, new SplittableRandom(1));
      s1 = t.snapshot();
    }
    int moved = 0;
    for (int i = 0; i < p0.length; i++) {
      double delta = Math.abs(s1.params()[i] - p0[i]);
      double g = s1.adamM()[i] / (1 - 0.9);
      if (Math.abs(g) > 1e-4) {
        assertClose(1e-3, delta, 1e-3, 2e-7, "step of parameter " + i);
        assertClose(
            g * g, s1.adamV()[i] / (1 - 0.999), 1e-3, 1e-12, "second moment of parameter " + i);
        moved++;
      }
    }
    assertTrue(moved > p0.length / 2, "only " + moved + " parameters had a gradient");
  }

  @Test
  void nativeMemoryStaysFlatOverManySteps() {
    float[] x = data(64, 20, 1);
    try (LocalTrainer t =
        new LocalTrainer(
            SMALL,
            TrainingState.initial(ParamInit.initialize(ParamLayout.of(SMALL), 1)),
            Device.cpu())) {
      ShuffledBatches b = new ShuffledBatches(x, 64, 20, 8, 1);
      SplittableRandom noise = new SplittableRandom(1);
      t.train(b, 5, noise);
      int before = t.liveArrays();
      for (int round = 0; round < 20; round++) {
        t.train(b, 100, noise);
        t.load(t.snapshot());
      }
      assertEquals(before, t.liveArrays(), "native arrays leaked over 2000 steps");
    }
  }

  @Test
  void divergenceIsReportedWithTheStep() {
    float[] x = data(16, 20, 1);
    for (int r = 0; r < 16; r++) {
      x[r * 20 + 5] = Float.NaN; // every row, so whichever batch comes first diverges
    }
    try (LocalTrainer t =
        new LocalTrainer(
            SMALL,
            TrainingState.initial(ParamInit.initialize(ParamLayout.of(SMALL), 1)),
            Device.cpu())) {
      NonFiniteLossException e =
          assertThrows(
              NonFiniteLossException.class,
              () -> t.train(new ShuffledBatches(x, 16, 20, 8, 1), 3, new SplittableRandom(1)));
      assertEquals(1, e.step());
      assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
  }
}
