package io.sparkvae.spark.ml;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.vae.Support;
import io.sparkvae.model.vae.VaeInference;
import io.sparkvae.spark.train.BadRows;
import io.sparkvae.spark.train.FeatureColumn;
import io.sparkvae.spark.train.TaskDevice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.util.SparkVaeMlAdapter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-partition body of {@link VaeModel#transform} and {@link VaeModel#decode}: rows are read
 * in groups of {@code batchSize}, the non-null cells of a group are packed into one row-major
 * {@code float[]} and sent through the network in one native call per output kind (never one per
 * row), and each input row comes out with the requested columns appended.
 *
 * <p>Unusable rows. Each row is checked once, as it is packed (its size, then its values in the
 * packed buffer, the check training uses: {@link FeatureColumn#checkValues}): a null cell is no
 * data and gets null outputs under either policy; a cell of another size, with a NaN or infinite
 * value, or (features under the Bernoulli likelihood) a value outside [0, 1] fails the task under
 * {@code badRowPolicy=fail}, after reading the rest of the partition so that the message gives its
 * counts by reason and its first offending rows as partition:row (0-based within the partition);
 * under {@code skip} such a row gets null outputs. Every row read is counted in the {@link
 * InferenceCounts} accumulators, and a partition with null or skipped rows is logged with its
 * counts when it ends.
 *
 * <p>What this function carries when Spark serializes it: the broadcast handle of the parameters,
 * the config, the cache key and a few scalars, never the parameters themselves. The native model
 * comes from the executor's {@link InferenceCache}, built from the broadcast value only by the
 * first task of a JVM that needs it.
 *
 * <p>Noise: the sample column draws from {@code SplittableRandom(Seeds.derive(scoreSeed,
 * SAMPLE_STREAM, partition))} and the negative ELBO from {@code SplittableRandom(}{@link
 * VaeModel#scoreNoiseSeed}{@code (scoreSeed, partition))}, each consumed in row order, so outputs
 * are reproducible for a given partitioning (and a retried task redraws the same noise).
 *
 * <p>The class is over 400 lines because one batching loop serves both of Spark's row forms
 * (external {@code Row}s and Catalyst's binary rows): the loop, the bad-row accounting and the
 * native calls are written once in the inner {@code Batches}, which needs this function's fields.
 */
final class BatchInference implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BatchInference.class);

  /** Stream of the latent sample column's noise in {@link Seeds#derive}. */
  static final long SAMPLE_STREAM = 0x53414d50L;

  private final Broadcast<float[]> params;
  private final VaeConfig config;
  private final String modelKey;
  private final String column;
  private final String role;
  private final int columnIndex;
  private final int cellSize;
  private final Outputs.Column[] outputs;
  private final int batchSize;
  private final int negElboSamples;
  private final long scoreSeed;
  private final boolean skip;
  private final Support support;
  private final InferenceCounts counts;

  /**
   * @param latentInput the column holds latent codes of latentDim (decode) rather than features of
   *     inputDim
   * @param skip badRowPolicy=skip: unusable rows get null outputs rather than failing the task
   * @param support the values the column's cells must take (the likelihood's for features: [0, 1]
   *     for the Bernoulli; every finite value for latent codes)
   * @param counts where the tasks count the rows they read
   */
  BatchInference(
      Broadcast<float[]> params,
      VaeConfig config,
      String modelKey,
      String column,
      boolean latentInput,
      int columnIndex,
      List<Outputs.Column> outputs,
      int batchSize,
      int negElboSamples,
      long scoreSeed,
      boolean skip,
      Support support,
      InferenceCounts counts) {
    this.params = params;
    this.config = config;
    this.modelKey = modelKey;
    this.column = column;
    this.role = latentInput ? "latent" : "features";
    this.columnIndex = columnIndex;
    this.cellSize = latentInput ? config.latentDim() : config.inputDim();
    this.outputs = outputs.toArray(new Outputs.Column[0]);
    this.batchSize = batchSize;
    this.negElboSamples = negElboSamples;
    this.scoreSeed = scoreSeed;
    this.skip = skip;
    this.support = support;
    this.counts = counts;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    TaskContext tc = TaskContext.get();
    int partition = tc == null ? 0 : tc.partitionId();
    return new ExternalBatches(rows, tc, partition);
  }

  /**
   * The same function over Catalyst's internal rows: what {@link VaeModel#transform} runs on a
   * batch DataFrame. It reads the features straight out of the binary row and appends the outputs
   * to it, where the external-row path decodes every column of every row into Java objects and
   * encodes them all back (for MNIST, 784 doubles each way per row).
   *
   * @param cellType the column's type: a vector, array&lt;float&gt; or array&lt;double&gt;
   */
  FlatMapFunction<Iterator<InternalRow>, InternalRow> onInternalRows(DataType cellType) {
    BatchInference f = this;
    return rows -> {
      TaskContext tc = TaskContext.get();
      int partition = tc == null ? 0 : tc.partitionId();
      return f.new InternalBatches(rows, tc, partition, cellType);
    };
  }

  /** Rows as {@link Row}s: streaming DataFrames, which cannot be planned into an RDD. */
  private final class ExternalBatches extends Batches<Row> {
    ExternalBatches(Iterator<Row> input, TaskContext task, int partition) {
      super(input, task, partition);
    }

    @Override
    BadRows.Reason pack(Row row, int slot) {
      return packCell(row.get(columnIndex), slot);
    }

    @Override
    Row retain(Row row) {
      return row;
    }

    @Override
    Row emit(Row r, Object[][] computed, int k) {
      Object[] values = new Object[r.length() + outputs.length];
      for (int i = 0; i < r.length(); i++) {
        values[i] = r.get(i);
      }
      if (computed != null) {
        for (int o = 0; o < outputs.length; o++) {
          Object v = computed[o][k];
          values[r.length() + o] = v instanceof Object[] fields ? RowFactory.create(fields) : v;
        }
      }
      return RowFactory.create(values);
    }
  }

  /**
   * Rows as Catalyst's binary rows: the features read in place and the outputs joined on, both
   * through {@link SparkVaeMlAdapter} (the one place that knows Catalyst's layouts).
   */
  private final class InternalBatches extends Batches<InternalRow> {
    private final SparkVaeMlAdapter.FeatureCells cells;

    InternalBatches(
        Iterator<InternalRow> input, TaskContext task, int partition, DataType cellType) {
      super(input, task, partition);
      this.cells = new SparkVaeMlAdapter.FeatureCells(columnIndex, cellType, cellSize);
    }

    @Override
    BadRows.Reason pack(InternalRow row, int slot) {
      int offset = slot * cellSize;
      SparkVaeMlAdapter.Cell read;
      try {
        read = cells.read(row, packed, offset);
      } catch (IllegalArgumentException e) {
        // No cause: the adapter's message is all there is, and the root cause is what users see.
        throw new IllegalArgumentException(role + " column '" + column + "': " + e.getMessage());
      }
      return switch (read) {
        case NULL -> BadRows.Reason.NULL;
        case WRONG_SIZE -> BadRows.Reason.WRONG_SIZE;
        case PACKED -> FeatureColumn.checkValues(packed, offset, cellSize, support);
      };
    }

    @Override
    InternalRow retain(InternalRow row) {
      // The scan may reuse its row object: a batch holds on to its rows until they are emitted.
      return row.copy();
    }

    @Override
    InternalRow emit(InternalRow row, Object[][] computed, int k) {
      Object[] values = new Object[outputs.length];
      if (computed != null) {
        for (int o = 0; o < outputs.length; o++) {
          values[o] = computed[o][k];
        }
      }
      return SparkVaeMlAdapter.appendColumns(row, values);
    }
  }

  /**
   * A partition's rows in batches, whatever their representation: subclasses read a row's cell into
   * the batch buffer and append the outputs to a row.
   */
  private abstract class Batches<R> implements Iterator<R> {
    private final Iterator<R> input;
    private final TaskContext task;
    private final int partition;
    private final SplittableRandom scoreNoise;
    private final SplittableRandom sampleNoise;
    private final ArrayDeque<R> ready = new ArrayDeque<>();
    private final List<R> batch = new ArrayList<>();
    final float[] packed;

    /** Whether row i of the batch was packed (else it gets null outputs). */
    private final boolean[] kept;

    /** This partition's rows read, null cells and unusable rows. */
    private long rowsRead;

    private long nulls;
    private final BadRows bad = new BadRows();
    private boolean logged;
    private InferenceCache.Lease lease;

    Batches(Iterator<R> input, TaskContext task, int partition) {
      this.input = input;
      this.task = task;
      this.partition = partition;
      this.scoreNoise = new SplittableRandom(VaeModel.scoreNoiseSeed(scoreSeed, partition));
      this.sampleNoise = new SplittableRandom(Seeds.derive(scoreSeed, SAMPLE_STREAM, partition));
      this.packed = new float[Math.multiplyExact(batchSize, cellSize)];
      this.kept = new boolean[batchSize];
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && input.hasNext()) {
        nextBatch();
      }
      if (ready.isEmpty()) {
        release();
        logCounts();
        return false;
      }
      return true;
    }

    /**
     * Packs the row's cell into slot {@code slot} of the buffer: null when usable, else why not.
     */
    abstract BadRows.Reason pack(R row, int slot);

    /** The row as the batch may keep it until it is emitted. */
    abstract R retain(R row);

    /** The row with the outputs appended: value {@code k} of each computed column, or nulls. */
    abstract R emit(R row, Object[][] computed, int k);

    @Override
    public R next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    private void nextBatch() {
      batch.clear();
      int n = 0;
      while (batch.size() < batchSize && input.hasNext()) {
        R r = input.next();
        long index = rowsRead++;
        BadRows.Reason problem = pack(r, n);
        counts.add(problem);
        kept[batch.size()] = problem == null;
        batch.add(retain(r));
        if (problem == null) {
          n++;
        } else if (problem == BadRows.Reason.NULL) {
          nulls++;
        } else {
          bad.add(problem, BadRows.rowId(partition, index));
          if (!skip) {
            throw failure(n);
          }
        }
      }
      Object[][] computed = n == 0 ? null : compute(n);
      int k = 0;
      for (int b = 0; b < batch.size(); b++) {
        ready.add(emit(batch.get(b), kept[b] ? computed : null, k));
        if (kept[b]) {
          k++;
        }
      }
    }

    /**
     * Packs an external cell (a vector or a Scala sequence) into row {@code slot} of the batch
     * buffer and checks it: null when it can be used, else why not (the slot is then free for the
     * next row).
     */
    BadRows.Reason packCell(Object cell, int slot) {
      if (cell == null) {
        return BadRows.Reason.NULL;
      }
      if (FeatureColumn.size(cell) != cellSize) {
        return BadRows.Reason.WRONG_SIZE;
      }
      try {
        FeatureColumn.copy(cell, packed, slot * cellSize);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(role + " column '" + column + "': " + e.getMessage(), e);
      }
      return FeatureColumn.checkValues(packed, slot * cellSize, cellSize, support);
    }

    /**
     * badRowPolicy=fail: checks the rest of the partition (packing into the free {@code slot}, no
     * native call) so that the message gives the partition's counts, then fails the task.
     */
    private IllegalArgumentException failure(int slot) {
      while (input.hasNext()) {
        long index = rowsRead++;
        BadRows.Reason problem = pack(input.next(), slot);
        if (problem == BadRows.Reason.NULL) {
          nulls++;
        } else if (problem != null) {
          bad.add(problem, BadRows.rowId(partition, index));
        }
      }
      release();
      return new IllegalArgumentException(
          role
              + " column '"
              + column
              + "' has "
              + bad.total()
              + " unusable row(s) in partition "
              + partition
              + " (of "
              + rowsRead
              + " rows): "
              + bad.describeValues(cellSize, support)
              + " (badRowPolicy=skip gives them null outputs)");
    }

    /** Logs the partition's null and skipped rows once, when it has been read to the end. */
    private void logCounts() {
      if (logged || (nulls == 0 && bad.total() == 0)) {
        return;
      }
      logged = true;
      String where =
          role
              + " column '"
              + column
              + "', partition "
              + partition
              + ": "
              + rowsRead
              + " rows, "
              + nulls
              + " with null features (null outputs)";
      if (bad.total() == 0) {
        LOG.info(where);
      } else {
        LOG.warn(
            where
                + ", "
                + bad.total()
                + " skipped with null outputs (badRowPolicy=skip): "
                + bad.describeValues(cellSize, support));
      }
    }

    /** One column of results per output, {@code n} values each. */
    private Object[][] compute(int n) {
      VaeInference model = model();
      int latent = config.latentDim();
      int dim = config.inputDim();
      VaeInference.Encoding enc = null;
      Object[][] out = new Object[outputs.length][];
      for (int o = 0; o < outputs.length; o++) {
        switch (outputs[o].kind()) {
          case MEAN, STD, SAMPLE, RECONSTRUCTION -> {
            if (enc == null) {
              enc = model.encode(packed, n);
            }
          }
          default -> {}
        }
        switch (outputs[o].kind()) {
          case MEAN -> out[o] = vectors(enc.mean(), n, latent);
          case STD -> out[o] = vectors(enc.std(), n, latent);
          case SAMPLE -> out[o] = vectors(sample(enc, n, latent), n, latent);
          case NEG_ELBO -> {
            float[] score = model.negElbo(packed, n, negElboSamples, scoreNoise);
            Object[] col = new Object[n];
            for (int i = 0; i < n; i++) {
              col[i] = (double) score[i];
            }
            out[o] = col;
          }
          // The decoder at the posterior mean: the same numbers as VaeInference.reconstruct
          // without running the encoder a second time.
          case RECONSTRUCTION -> out[o] = vectors(model.decodeMean(enc.mean(), n), n, dim);
          case DECODED -> out[o] = vectors(model.decodeMean(packed, n), n, dim);
          case COLUMN_NLL -> out[o] = rowsOf(model.columnNll(packed, n), n);
          default -> throw new IllegalStateException("unknown output " + outputs[o]);
        }
      }
      return out;
    }

    private float[] sample(VaeInference.Encoding enc, int n, int latent) {
      float[] z = new float[n * latent];
      for (int i = 0; i < z.length; i++) {
        z[i] = enc.mean()[i] + enc.std()[i] * (float) sampleNoise.nextGaussian();
      }
      return z;
    }

    private VaeInference model() {
      if (lease == null) {
        Device device = TaskDevice.current();
        lease =
            InferenceCache.acquire(
                modelKey, device, () -> new VaeInference(config, params.value(), device));
        if (task != null) {
          // A downstream limit() may stop reading before the end: the task's end returns the model.
          InferenceCache.Lease held = lease;
          task.addTaskCompletionListener(
              new TaskCompletionListener() {
                @Override
                public void onTaskCompletion(TaskContext context) {
                  held.close();
                }
              });
        }
      }
      return lease.model();
    }

    private void release() {
      if (lease != null) {
        lease.close();
      }
    }
  }

  /**
   * One struct per row from {@code n} rows of a flat array: its fields as boxed doubles, the form
   * both a {@link Row} and an internal row take them in.
   */
  private static Object[] rowsOf(float[] flat, int n) {
    int width = flat.length / Math.max(n, 1);
    Object[] col = new Object[n];
    for (int i = 0; i < n; i++) {
      Object[] fields = new Object[width];
      for (int j = 0; j < width; j++) {
        fields[j] = (double) flat[i * width + j];
      }
      col[i] = fields;
    }
    return col;
  }

  private static Object[] vectors(float[] flat, int n, int width) {
    Object[] col = new Object[n];
    for (int i = 0; i < n; i++) {
      double[] v = new double[width];
      for (int j = 0; j < width; j++) {
        v[j] = flat[i * width + j];
      }
      col[i] = new DenseVector(v);
    }
    return col;
  }
}
