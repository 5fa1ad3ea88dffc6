"""The shape of one parameter declaration, shared by the generated table and its generator."""

from typing import Any, NamedTuple


class ParamDecl(NamedTuple):
    """One parameter of the SparkVAE stages, as the JVM declares it."""

    name: str
    #: "int", "long", "double", "bool", "string" or "int[]" (the JVM param's value type).
    type: str
    default: Any
    #: True when a fitted VaeModel lets it change (columns, inference, badRowPolicy).
    model_settable: bool
    doc: str
