package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;

/**
 * The diagonal Gaussian posterior q(z|x) of a batch: location and log of the scale, each {@code
 * [..., latentDim]}. The ELBO's KL terms ({@link Likelihoods#analyticKl}, {@link
 * Likelihoods#logQMinusLogP}) are written for this family.
 */
public record Posterior(NDArray loc, NDArray logScale) {}
