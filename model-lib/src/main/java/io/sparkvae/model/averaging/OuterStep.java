package io.sparkvae.model.averaging;

/**
 * What the driver does with a round's averaged parameters: the replaceable piece of the averaging
 * algorithm. Every round the replicas start from {@code previous}, run their local steps and are
 * averaged; an outer step turns that average into the next global parameters (plain averaging takes
 * it as is; {@link OuterOptimizer} treats {@code average - previous} as a pseudo-gradient with
 * block momentum). An outer step may keep state across rounds (a momentum buffer); that state is
 * checkpointed through {@link #state()} and {@link #restore(float[])}.
 *
 * <p>Contract: {@link #step} is called once per round that is kept; a round the driver rolls back
 * is undone with {@link #restore(float[])} of the state read before it.
 */
public interface OuterStep {
  /** The next global parameters from the round's start and the replicas' average. */
  float[] step(float[] previous, float[] averaged);

  /** The state carried across rounds (a copy; null when there is none yet), for checkpoints. */
  float[] state();

  /** Restores {@link #state()} (null: none). */
  void restore(float[] state);

  /** The first NaN or infinite value of the carried state, as {@code "name[i] = v"}, or null. */
  String firstNonFinite();

  /** Plain averaging: the average is the next global state; nothing is carried. */
  OuterStep AVERAGE =
      new OuterStep() {
        @Override
        public float[] step(float[] previous, float[] averaged) {
          return averaged;
        }

        @Override
        public float[] state() {
          return null;
        }

        @Override
        public void restore(float[] state) {
          if (state != null) {
            throw new IllegalArgumentException(
                "plain averaging carries no state, but a momentum buffer was given");
          }
        }

        @Override
        public String firstNonFinite() {
          return null;
        }

        @Override
        public String toString() {
          return "plain averaging";
        }
      };
}
