"""A model saved from Java loads in Python and scores the same rows to the same numbers, and the
reverse (same JVM format, same partitioning, same score seed: the same bits)."""

import numpy as np
import pytest
from pyspark.sql import DataFrame

from sparkvae import VaeEstimator, VaeModel
from tests.helpers import SMALL, column, frame, synthetic


@pytest.fixture(scope="module")
def data(spark):
    return frame(spark, synthetic(256, 16, seed=5))


def _java_transform(java_model, data) -> DataFrame:
    return DataFrame(java_model.transform(data._jdf), data.sparkSession)


def test_saved_from_java_loaded_in_python(spark, data, tmp_path):
    jvm = spark._jvm
    est = jvm.io.sparkvae.spark.ml.VaeEstimator()
    est.setValue("encoderHidden", "8").setValue("decoderHidden", "8").setLatentDim(2).setEpochs(1).setReplicas(2)
    est.setBatchSize(32).setSeed(7).setNegElboCol("neg_elbo").setReconstructionCol("recon")
    java_model = est.fit(data._jdf)
    path = str(tmp_path / "from-java")
    java_model.write().save(path)
    expected = _java_transform(java_model, data).cache()

    model = VaeModel.load(path)
    assert model.uid == java_model.uid()
    assert model.getNegElboCol() == "neg_elbo" and model.getEncoderHidden() == [8]
    got = model.transform(data).cache()
    for c in ("z_mean", "z_std", "neg_elbo", "recon"):
        np.testing.assert_array_equal(column(got, c), column(expected, c), err_msg=c)


def test_saved_from_python_loaded_in_java(spark, data, tmp_path):
    model = VaeEstimator(negElboCol="neg_elbo", negElboSamples=3, **SMALL).fit(data)
    path = str(tmp_path / "from-python")
    model.save(path)
    java_model = spark._jvm.io.sparkvae.spark.ml.VaeModel.load(path)
    assert java_model.uid() == model.uid
    assert java_model.getNegElboSamples() == 3
    expected = model.transform(data).cache()
    got = _java_transform(java_model, data).cache()
    for c in ("z_mean", "z_std", "neg_elbo"):
        np.testing.assert_array_equal(column(got, c), column(expected, c), err_msg=c)
