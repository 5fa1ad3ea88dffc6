import pytest
from pyspark.sql import SparkSession

import sparkvae
from tests.helpers import SPARK_CONF


@pytest.fixture(scope="package")
def spark():
    """One classic (py4j) session for the package: local[2], the jar on spark.jars."""
    b = SparkSession.builder.master("local[2]").appName("sparkvae-pytest-classic")
    for k, v in SPARK_CONF.items():
        b = b.config(k, v)
    session = b.config("spark.jars", sparkvae.jar_path()).getOrCreate()
    yield session
    session.stop()
