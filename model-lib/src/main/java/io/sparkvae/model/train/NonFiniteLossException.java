package io.sparkvae.model.train;

/** A minibatch loss was NaN or infinite: training diverged. */
public final class NonFiniteLossException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final double loss;

  /** At optimizer step {@code step} (1-based) the loss was {@code value}. */
  public NonFiniteLossException(long step, double value) {
    super(
        "training diverged: minibatch loss is "
            + value
            + " at optimizer step "
            + step
            + "; lower the learning rate or check the input for NaN/Inf");
    this.step = step;
    this.loss = value;
  }

  /** The optimizer step (1-based) whose loss was not finite. */
  public long step() {
    return step;
  }

  /** The minibatch loss of that step: NaN or an infinity. */
  public double loss() {
    return loss;
  }
}
