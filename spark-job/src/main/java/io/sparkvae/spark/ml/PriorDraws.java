package io.sparkvae.spark.ml;

import io.sparkvae.model.train.Seeds;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Draws codes from the prior N(0, I), one seeded generator per row id. */
final class PriorDraws implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  /** Stream of {@link VaeModel#generate}'s prior draws in {@link Seeds#derive}. */
  private static final long PRIOR_STREAM = 0x5052494fL;

  private final int latent;
  private final long seed;

  PriorDraws(int latent, long seed) {
    this.latent = latent;
    this.seed = seed;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> ids) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return ids.hasNext();
      }

      @Override
      public Row next() {
        long id = ids.next().getLong(0);
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, PRIOR_STREAM, id));
        double[] z = new double[latent];
        for (int j = 0; j < latent; j++) {
          z[j] = r.nextGaussian();
        }
        return RowFactory.create(new DenseVector(z));
      }
    };
  }
}
