"""Generates ``_params.py`` from the JVM stages' own declarations.

Run after a parameter changes on the Java side (``tests/test_params.py`` fails until then)::

    SPARKVAE_JAR=spark-job/target/spark-job-0.1.0-SNAPSHOT-app.jar python -m sparkvae._gen_params

It starts a local classic Spark session with the jar and writes ``sparkvae/_params.py``.
"""

import os
import sys
from typing import Any, List

from sparkvae._decl import ParamDecl

_JAVA_TYPES = {
    "IntParam": "int",
    "LongParam": "long",
    "DoubleParam": "double",
    "BooleanParam": "bool",
    "Param": "string",
    "IntArrayParam": "int[]",
}


def java_declarations(spark: Any) -> List[ParamDecl]:
    """Every param of the JVM ``VaeEstimator``, in its order, with what ``VaeModel`` lets change."""
    jvm = spark._jvm
    estimator = jvm.io.sparkvae.spark.ml.VaeEstimator()
    # The registration instance (no parameters): setValue refuses training parameters on it.
    model = jvm.io.sparkvae.spark.ml.VaeModel()
    out = []
    for p in estimator.params():
        kind = p.getClass().getSimpleName()
        if kind not in _JAVA_TYPES:
            raise ValueError(f"param {p.name()} has a JVM type with no Python form: {kind}")
        java_default = estimator.getDefault(p).get()
        default = list(java_default) if kind == "IntArrayParam" else java_default
        try:
            model.setValue(p.name(), java_default)
            settable = True
        except Exception:  # the JVM refuses: a training parameter
            settable = False
        out.append(ParamDecl(p.name(), _JAVA_TYPES[kind], default, settable, p.doc()))
    return out


def render(decls: List[ParamDecl]) -> str:
    lines = [
        '"""Every parameter of the SparkVAE stages, generated from the JVM declarations.',
        "",
        "Do not edit: run ``python -m sparkvae._gen_params`` (see that module) after a Java change.",
        '"""',
        "",
        "from sparkvae._decl import ParamDecl",
        "",
        "PARAMS = (",
    ]
    for d in decls:
        lines.append(
            f"    ParamDecl({d.name!r}, {d.type!r}, {d.default!r}, {d.model_settable!r},"
            f"\n              {d.doc!r}),"
        )
    lines.append(")")
    return "\n".join(lines) + "\n"


def main() -> None:
    from pyspark.sql import SparkSession

    from sparkvae import jar_path

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.jars", jar_path())
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        text = render(java_declarations(spark))
    finally:
        spark.stop()
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_params.py")
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
