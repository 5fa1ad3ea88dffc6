"""SparkVAE for Python.

- :class:`VaeEstimator` / :class:`VaeModel`: the JVM stages as ``pyspark.ml`` stages, in classic
  PySpark and over Spark Connect. The JVM side is the application jar: :func:`jar_path`.
- :func:`load_exported`: a saved model's weights as numpy functions (encode, decode, negative
  ELBO, samples from the prior) and, with torch installed, as a ``torch.nn.Module``.
- :func:`training_history`: the per-epoch history kept in a saved model.

Importing this package also registers it under the Java package name ``io.sparkvae.spark.ml``
in ``sys.modules``: pyspark finds the Python class of a saved JVM stage (inside a
``PipelineModel``, say) by that name. Import ``sparkvae`` before loading such a pipeline.
"""

import sys
import types

from sparkvae import ml as _ml
from sparkvae._jar import JAR_ENV, jar_path
from sparkvae.export import ExportedVae, load_exported, training_history
from sparkvae.ml import JAVA_PACKAGE, SparkVaeJarError, VaeEstimator, VaeModel

__all__ = [
    "JAR_ENV",
    "ExportedVae",
    "SparkVaeJarError",
    "VaeEstimator",
    "VaeModel",
    "jar_path",
    "load_exported",
    "training_history",
]


def _register_java_package_alias() -> None:
    # pyspark maps a JVM class name to a Python module by replacing "org.apache.spark" with
    # "pyspark"; for our classes that leaves "io.sparkvae.spark.ml", which cannot be a real package
    # ("io" is the standard library's). An entry in sys.modules is found before any import.
    parts = JAVA_PACKAGE.split(".")
    for i in range(2, len(parts)):
        name = ".".join(parts[:i])
        if name not in sys.modules:
            sys.modules[name] = types.ModuleType(name)
    sys.modules[JAVA_PACKAGE] = _ml


_register_java_package_alias()
