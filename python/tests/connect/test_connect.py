"""The same calls over Spark Connect: this process holds no JVM handle, only a gRPC client."""

import os

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import VectorAssembler
from pyspark.sql.utils import is_remote

import sparkvae
from sparkvae import SparkVaeJarError, VaeEstimator, VaeModel
from tests.helpers import SMALL, column, frame, synthetic


@pytest.fixture(scope="module")
def data(spark):
    return frame(spark, synthetic(256, 16))


@pytest.fixture(scope="module")
def model(data):
    return VaeEstimator(negElboCol="neg_elbo", **SMALL).fit(data)


def test_the_session_is_remote(spark):
    assert is_remote()
    assert type(spark).__module__.startswith("pyspark.sql.connect")


def test_fit_and_transform(model, data):
    out = model.transform(data)
    assert out.columns == ["id", "features", "z_mean", "z_std", "neg_elbo"]
    assert column(out, "z_mean").shape == (256, 2)
    assert np.all(np.isfinite(column(out, "neg_elbo")))
    assert model.getLatentDim() == 2
    assert "VaeModel" in repr(model)


def test_model_column_params_are_sent_with_transform(model, data):
    out = model.copy().setLatentMeanCol("mu").setLatentStdCol("").transform(data)
    assert out.columns == ["id", "features", "mu", "neg_elbo"]


def test_save_load_and_what_the_model_directory_offers(model, data, tmp_path):
    path = str(tmp_path / "model")
    model.write().save(path)
    loaded = VaeModel.load(path)
    assert loaded.uid == model.uid
    assert loaded.getLatentDim() == 2 and loaded.getEncoderHidden() == [8]
    z = column(loaded.transform(data), "z_mean")
    np.testing.assert_array_equal(z, column(model.transform(data), "z_mean"))
    # Remote clients reach the history, decoding and prior samples through the saved files.
    assert [h["epoch"] for h in sparkvae.training_history(path)] == [1]
    exported = sparkvae.load_exported(path)
    np.testing.assert_allclose(exported.encode(synthetic(256, 16))[0], z, rtol=1e-5, atol=1e-5)
    assert exported.sample_prior(3, seed=1).shape == (3, 16)
    assert os.path.isfile(os.path.join(path, "export", "model.safetensors"))


def test_history_method_says_where_to_look_over_connect(model):
    with pytest.raises(NotImplementedError, match="training_history"):
        model.trainingHistory()


def test_estimator_save_and_load(spark, tmp_path):
    est = VaeEstimator(latentDim=3, encoderHidden=[5, 4], seed=2**40)
    est.write().save(str(tmp_path / "est"))
    loaded = VaeEstimator.load(str(tmp_path / "est"))
    assert loaded.uid == est.uid
    assert loaded.getLatentDim() == 3 and loaded.getEncoderHidden() == [5, 4] and loaded.getSeed() == 2**40


def test_pipeline_with_vector_assembler(spark, tmp_path):
    x = synthetic(200, 6, seed=3)
    cols = [f"c{j}" for j in range(6)]
    df = spark.createDataFrame([(i, *map(float, r)) for i, r in enumerate(x)], ["id", *cols])
    fitted = Pipeline(stages=[
        VectorAssembler(inputCols=cols, outputCol="pixels"),
        VaeEstimator(featuresCol="pixels", negElboCol="score", **SMALL),
    ]).fit(df)
    out = fitted.transform(df)
    path = str(tmp_path / "pipeline")
    fitted.write().save(path)
    reloaded = PipelineModel.load(path)
    assert isinstance(reloaded.stages[1], VaeModel)
    np.testing.assert_array_equal(column(reloaded.transform(df), "score"), column(out, "score"))


def test_an_invalid_value_fails_naming_the_param(data):
    with pytest.raises(Exception, match="likelihood"):
        VaeEstimator(likelihood="poisson", **SMALL).fit(data)


def test_a_wrong_type_and_an_unknown_param_fail_in_the_client(spark):
    with pytest.raises(TypeError, match="latentDim"):
        VaeEstimator(latentDim="ten")
    with pytest.raises(ValueError, match="unknown parameter 'latentDimm'"):
        VaeEstimator(latentDimm=3)


def test_a_stage_the_server_does_not_know_is_reported_as_the_missing_jar(data, tmp_path):
    est = VaeEstimator(**SMALL)
    est._java_obj = "io.sparkvae.spark.ml.NoSuchStage"
    with pytest.raises(SparkVaeJarError, match="--jars"):
        est.fit(data)
    unknown = type("NoSuchModel", (VaeModel,), {})
    with pytest.raises(SparkVaeJarError, match="not on this Spark session's classpath"):
        unknown.load(str(tmp_path))
