import pytest
from pyspark.sql import SparkSession

import sparkvae
from tests.helpers import SPARK_CONF


@pytest.fixture(scope="package")
def spark():
    """A Spark Connect session: pyspark starts a local Connect server (local[2], on 127.0.0.1)
    with the jar on spark.jars, and this process talks to it over gRPC only."""
    b = SparkSession.builder.remote("local[2]").appName("sparkvae-pytest-connect")
    for k, v in SPARK_CONF.items():
        b = b.config(k, v)
    session = b.config("spark.jars", sparkvae.jar_path()).getOrCreate()
    yield session
    session.stop()
