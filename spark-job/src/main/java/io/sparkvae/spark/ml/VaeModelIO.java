package io.sparkvae.spark.ml;

import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.fs.HadoopPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.ml.util.SparkVaeMlAdapter;

/**
 * How a {@link VaeModel} is saved and loaded as a Spark ML directory: {@code data/} holds
 * model-lib's format (loadable without Spark), {@code export/} the safetensors export, {@code
 * metadata/} Spark's params. Apart from the model class so that it holds the model's behaviour
 * only.
 */
final class VaeModelIO {
  private VaeModelIO() {}

  /** Writes {@code data/} (atomically, through Hadoop's FileSystem), then {@code metadata/}. */
  static final class Writer extends MLWriter {
    private final VaeModel model;

    Writer(VaeModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      // data/ first: a directory whose metadata/ exists is complete.
      try {
        HadoopModelStore.save(
            model.requireTrained(), new Path(path, "data").toString(), sc().hadoopConfiguration());
        // For Python and PyTorch users, Spark Connect ones included: the weights as safetensors.
        ExportFiles.save(
            model.requireTrained(),
            new Path(path, VaeModel.EXPORT_DIR).toString(),
            sc().hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot save the model data under " + path + ": " + e.getMessage(), e);
      }
      SparkVaeMlAdapter.saveMetadata(model, path, sparkSession());
    }
  }

  /** Reads Spark's metadata (checking the class), then the model-lib model under {@code data/}. */
  static final class Reader extends MLReader<VaeModel> {
    @Override
    public VaeModel load(String path) {
      // A crash between the two renames of a model's replacement leaves the previous model aside.
      try {
        return loadFrom(HadoopPublisher.readable(path, sc().hadoopConfiguration()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
      }
    }

    private VaeModel loadFrom(String path) {
      VaeModel m =
          SparkVaeMlAdapter.loadParams(
              path,
              sparkSession(),
              VaeModel.class,
              uid -> {
                String data = new Path(path, "data").toString();
                try {
                  TrainedVae t = HadoopModelStore.load(data, sc().hadoopConfiguration());
                  return new VaeModel(uid, t, TrainingHistory.fromMetadata(t.metadata()));
                } catch (IOException e) {
                  throw new UncheckedIOException(
                      "cannot load the model data of " + path + ": " + e.getMessage(), e);
                }
              });
      try {
        m.requireConsistent();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "the model at "
                + path
                + " is inconsistent: metadata/ and data/ disagree: "
                + e.getMessage(),
            e);
      }
      return m;
    }
  }
}
