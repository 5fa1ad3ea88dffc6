/**
 * SparkVAE as Spark ML stages: {@link io.sparkvae.spark.ml.VaeEstimator} trains a variational
 * autoencoder (Kingma &amp; Welling 2013, "Auto-Encoding Variational Bayes") with the distributed
 * trainer of {@code io.sparkvae.spark.train}, and {@link io.sparkvae.spark.ml.VaeModel} encodes,
 * scores (per-row negative ELBO), reconstructs, decodes and generates in batches on executors.
 *
 * <p>Every hyperparameter is a Spark {@code Param} generated from the single declarations in {@code
 * VaeConfig.PARAMS} and {@code DistributedConfig.PARAMS} ({@code ParamVocabulary}, {@code
 * StageParams}); both stages save and load through Spark's {@code MLWriter}/{@code MLReader}, the
 * model's {@code data/} being the plain model-lib format ({@link
 * io.sparkvae.spark.ml.HadoopModelStore}). Both are registered for Spark Connect in {@code
 * META-INF/services}.
 */
package io.sparkvae.spark.ml;
