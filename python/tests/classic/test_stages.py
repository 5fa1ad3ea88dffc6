"""Fit, transform, save/load and Pipeline with a real classic (py4j) session."""

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import VectorAssembler
from pyspark.errors import IllegalArgumentException

import sparkvae
from sparkvae import SparkVaeJarError, VaeEstimator, VaeModel
from tests.helpers import SMALL, column, frame, synthetic


@pytest.fixture(scope="module")
def data(spark):
    return frame(spark, synthetic(256, 16))


@pytest.fixture(scope="module")
def model(data):
    return VaeEstimator(negElboCol="neg_elbo", **SMALL).fit(data)


def test_fit_then_transform_appends_the_requested_columns(model, data):
    out = model.transform(data)
    assert out.columns == ["id", "features", "z_mean", "z_std", "neg_elbo"]
    z = column(out, "z_mean")
    assert z.shape == (256, 2)
    assert np.all(column(out, "z_std") > 0)
    assert np.all(np.isfinite(column(out, "neg_elbo")))
    assert isinstance(model, VaeModel)
    assert model.getLatentDim() == 2 and model.getInputDim() == 16
    assert model.getEncoderHidden() == [8]


def test_the_model_keeps_the_training_history(model):
    history = model.trainingHistory()
    assert [h["epoch"] for h in history] == [1]
    assert history[0]["trainNegElbo"] > 0


def test_model_params_change_only_for_columns_and_inference(model, data):
    copy = model.copy()
    copy.setLatentMeanCol("mu").setLatentStdCol("")
    assert copy.transform(data).columns == ["id", "features", "mu", "neg_elbo"]
    with pytest.raises(ValueError, match="latentDim is a training parameter of a fitted model"):
        model.setParams(latentDim=3)
    with pytest.raises(IllegalArgumentException, match="latentDim is a training parameter"):
        model.copy({model.latentDim: 3})


def test_save_and_load_give_the_same_params_and_numbers(model, data, tmp_path):
    path = str(tmp_path / "model")
    model.write().save(path)
    with pytest.raises(Exception, match="already exists"):
        model.write().save(path)
    model.write().overwrite().save(path)
    loaded = VaeModel.load(path)
    assert loaded.uid == model.uid
    for p in model.params:
        assert loaded.getOrDefault(p.name) == model.getOrDefault(p), p.name
    np.testing.assert_array_equal(column(loaded.transform(data), "z_mean"), column(model.transform(data), "z_mean"))


def test_estimator_save_and_load(tmp_path, spark):
    est = VaeEstimator(latentDim=3, encoderHidden=[5, 4], seed=11, negElboCol="s")
    est.save(str(tmp_path / "est"))
    loaded = VaeEstimator.load(str(tmp_path / "est"))
    assert loaded.uid == est.uid
    assert loaded.getLatentDim() == 3 and loaded.getEncoderHidden() == [5, 4]
    assert loaded.getSeed() == 11 and loaded.getNegElboCol() == "s"
    assert loaded.getEpochs() == est.getEpochs()


def test_pipeline_with_vector_assembler_fits_saves_and_loads(spark, tmp_path):
    x = synthetic(200, 6, seed=3)
    rows = [(i, *map(float, r)) for i, r in enumerate(x)]
    cols = [f"c{j}" for j in range(6)]
    df = spark.createDataFrame(rows, ["id", *cols]).repartition(2)
    pipeline = Pipeline(stages=[
        VectorAssembler(inputCols=cols, outputCol="pixels"),
        VaeEstimator(featuresCol="pixels", negElboCol="score", **SMALL),
    ])
    fitted = pipeline.fit(df)
    out = fitted.transform(df)
    assert {"pixels", "z_mean", "z_std", "score"} <= set(out.columns)
    path = str(tmp_path / "pipeline")
    fitted.write().save(path)
    reloaded = PipelineModel.load(path)
    assert isinstance(reloaded.stages[1], VaeModel)
    np.testing.assert_array_equal(column(reloaded.transform(df), "score"), column(out, "score"))
    pipeline.write().save(str(tmp_path / "unfitted"))
    assert isinstance(Pipeline.load(str(tmp_path / "unfitted")).getStages()[1], VaeEstimator)


def test_an_invalid_value_fails_naming_the_param(data):
    with pytest.raises(IllegalArgumentException, match="latentDim"):
        VaeEstimator(latentDim=0, **{k: v for k, v in SMALL.items() if k != "latentDim"}).fit(data)
    with pytest.raises(IllegalArgumentException, match="likelihood"):
        VaeEstimator(likelihood="poisson", **SMALL).fit(data)


def test_a_missing_features_column_is_named(data):
    with pytest.raises(IllegalArgumentException, match="pixels"):
        VaeEstimator(featuresCol="pixels", **SMALL).fit(data)


def test_a_class_missing_from_the_jvm_is_reported_as_the_missing_jar(spark):
    with pytest.raises(SparkVaeJarError, match=r"spark\.jars.*jar_path\(\)"):
        sparkvae.ml._new_java("NoSuchStage", "x")


def test_jar_path_names_a_bad_override(monkeypatch, tmp_path):
    monkeypatch.setenv("SPARKVAE_JAR", str(tmp_path / "missing.jar"))
    with pytest.raises(FileNotFoundError, match="SPARKVAE_JAR=.*missing.jar does not name a file"):
        sparkvae.jar_path()
