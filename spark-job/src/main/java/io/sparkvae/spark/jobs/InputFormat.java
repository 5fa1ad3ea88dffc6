package io.sparkvae.spark.jobs;

import io.sparkvae.model.config.ParamType;

/** The format of a job's input files ({@code --input-format}). */
public enum InputFormat {
  /** {@code idx}: MNIST's idx files (images and optional labels). */
  IDX,
  /** {@code parquet}: Parquet files. */
  PARQUET,
  /** {@code csv}: CSV text with a header line. */
  CSV,
  /** {@code libsvm}: LIBSVM text, sparse features. */
  LIBSVM;

  /** The name on the command line and in messages ({@code parquet}). */
  @Override
  public String toString() {
    return ParamType.nameOf(this);
  }
}
