"""``VaeEstimator`` and ``VaeModel``: the JVM stages ``io.sparkvae.spark.ml.*`` as pyspark.ml stages.

They work in classic PySpark (py4j, the jar on ``spark.jars``) and over Spark Connect (the jar on
the Connect server's classpath). Every parameter is declared once on the JVM side;
``sparkvae/_params.py`` is generated from it (``python -m sparkvae._gen_params``) and
``tests/test_params.py`` compares the two, name, type, doc and default, so they cannot drift.
"""

import difflib
import json
from typing import Any, Callable, Dict, List, Optional

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import JavaMLReadable, JavaMLReader, JavaMLWritable, MLReader
from pyspark.ml.wrapper import JavaEstimator, JavaModel
from pyspark.sql.utils import is_remote

from sparkvae._params import PARAMS

#: The Java package of the stages; Spark Connect and Spark's readers name classes by it.
JAVA_PACKAGE = "io.sparkvae.spark.ml"

_CONVERTERS = {
    "int": TypeConverters.toInt,
    "long": TypeConverters.toInt,
    "double": TypeConverters.toFloat,
    "string": TypeConverters.toString,
    "bool": TypeConverters.toBoolean,
    "int[]": TypeConverters.toListInt,
}

_DECLS = {d.name: d for d in PARAMS}

#: Set on the estimator by fit, from the data; never by a user.
_INPUT_DIM = "inputDim"


class SparkVaeJarError(RuntimeError):
    """The JVM side of the stages (the SparkVAE application jar) is not on the session's classpath."""


def _jar_hint() -> str:
    return (
        "the SparkVAE jar is not on this Spark session's classpath: create the session with "
        "SparkSession.builder.config('spark.jars', sparkvae.jar_path()) (classic PySpark), or start "
        "the Spark Connect server with --jars <that jar>"
    )


def _capitalized(name: str) -> str:
    return name[0].upper() + name[1:]


class _VaeParams(Params):
    """The parameters shared by VaeEstimator and VaeModel; one ``Param`` and getter per JVM param.

    Listed first among the stages' bases, so that its ``_transfer_params_to_java`` replaces
    ``JavaParams``'s.
    """

    def _declare_defaults(self) -> None:
        self._setDefault(**{d.name: d.default for d in PARAMS})

    def _check_names(self, kwargs: Dict[str, Any], settable: List[str]) -> None:
        for name in kwargs:
            if name not in _DECLS:
                close = difflib.get_close_matches(name, list(_DECLS), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise ValueError(
                    f"unknown parameter '{name}' for {type(self).__name__}{hint} "
                    f"Parameters are: {', '.join(_DECLS)}"
                )
            if name not in settable:
                raise ValueError(self._not_settable(name))

    def _not_settable(self, name: str) -> str:
        if name == _INPUT_DIM:
            return "inputDim is not set on VaeEstimator: fit takes it from the features column"
        return (
            f"{name} is a training parameter of a fitted model: its value is the one the model "
            "was trained with and cannot change"
        )

    # ---- classic PySpark: parameters go through the JVM stage's own setValue, which converts and
    # validates with a message naming the parameter (pyspark's default path sets Spark params
    # directly and also pushes the Python defaults, which the JVM declares itself).

    def _java_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ",".join(str(int(v)) for v in value)
        return value

    def _transfer_params_to_java(self) -> None:
        java = self._java_obj
        for param in self.params:
            if self.isSet(param):
                self._send(java, param.name, self._paramMap[param])

    def _send(self, java: Any, name: str, value: Any) -> None:
        java.setValue(name, self._java_value(value))


def _install_params(cls: type) -> None:
    """Adds one class-level Param and one getter per declaration to ``cls``."""
    for d in PARAMS:
        setattr(cls, d.name, Param(Params._dummy(), d.name, d.doc, typeConverter=_CONVERTERS[d.type]))
        setattr(cls, "get" + _capitalized(d.name), _getter(d.name))


def _getter(name: str) -> Callable[[Any], Any]:
    def get(self: Any) -> Any:
        return self.getOrDefault(self.getParam(name))

    get.__name__ = "get" + _capitalized(name)
    get.__doc__ = f"Gets the value of {name} or its default. {_DECLS[name].doc}"
    return get


def _setter(name: str) -> Callable[..., Any]:
    def set_(self: Any, value: Any) -> Any:
        return self._set(**{name: value})

    set_.__name__ = "set" + _capitalized(name)
    set_.__doc__ = f"Sets {name}. {_DECLS[name].doc}"
    return set_


_install_params(_VaeParams)

_ESTIMATOR_SETTABLE = [d.name for d in PARAMS if d.name != _INPUT_DIM]
_MODEL_SETTABLE = [d.name for d in PARAMS if d.model_settable]


def _new_java(cls_name: str, uid: str) -> Any:
    try:
        return JavaEstimator._new_java_obj(f"{JAVA_PACKAGE}.{cls_name}", uid)
    except TypeError as e:
        # py4j resolves an unknown class to a JavaPackage, which is not callable.
        if "JavaPackage" in str(e):
            raise SparkVaeJarError(_jar_hint()) from None
        raise
    except AssertionError:
        raise RuntimeError(
            f"{cls_name} needs an active SparkSession: create one first (with "
            "spark.jars=sparkvae.jar_path() in classic PySpark)"
        ) from None


def _reraise_missing_jar(e: Exception) -> None:
    text = str(e)
    if JAVA_PACKAGE in text and ("Unsupported ML operator" in text or "Unsupported read" in text):
        raise SparkVaeJarError(_jar_hint() + f" (the server said: {text.splitlines()[0]})") from e


class _Reader(JavaMLReader):
    """Classic reader: the JVM class is named by the Java package, not by this module's path."""

    @classmethod
    def _java_loader_class(cls, clazz: type) -> str:
        return f"{JAVA_PACKAGE}.{clazz.__name__}"

    @classmethod
    def _load_java_obj(cls, clazz: type) -> Any:
        obj = super()._load_java_obj(clazz)
        if type(obj).__name__ == "JavaPackage":
            raise SparkVaeJarError(_jar_hint())
        return obj


class _RemoteReader(MLReader):
    """Spark Connect reader: pyspark's own derives the JVM class from the Python module path."""

    def __init__(self, clazz: type) -> None:
        super().__init__()
        self._clazz = clazz

    def load(self, path: str) -> Any:
        import pyspark.sql.connect.proto as pb2
        from pyspark.ml.connect.serialize import deserialize, deserialize_param
        from pyspark.ml.util import RemoteModelRef
        from pyspark.sql.connect.session import SparkSession

        session = SparkSession.getActiveSession()
        if session is None:
            raise RuntimeError("loading a SparkVAE stage over Spark Connect needs an active session")
        is_model = issubclass(self._clazz, JavaModel)
        ml_type = pb2.MlOperator.OPERATOR_TYPE_MODEL if is_model else pb2.MlOperator.OPERATOR_TYPE_ESTIMATOR
        command = pb2.Command()
        command.ml_command.read.CopyFrom(
            pb2.MlCommand.Read(
                operator=pb2.MlOperator(name=f"{JAVA_PACKAGE}.{self._clazz.__name__}", type=ml_type),
                path=path,
            )
        )
        try:
            (_, properties, _) = session.client.execute_command(command)
        except Exception as e:
            _reraise_missing_jar(e)
            raise
        result = deserialize(properties)
        instance = self._clazz(RemoteModelRef(result.obj_ref.id)) if is_model else self._clazz()
        instance._resetUid(result.uid)
        instance._set(**{k: deserialize_param(v) for k, v in result.params.params.items()})
        return instance


class _Readable(JavaMLReadable):
    @classmethod
    def read(cls) -> MLReader:
        """The reader of saved stages (classic PySpark or Spark Connect, whichever is active)."""
        return _RemoteReader(cls) if is_remote() else _Reader(cls)


class VaeEstimator(_VaeParams, JavaEstimator, _Readable, JavaMLWritable):
    """Trains a variational autoencoder (Kingma & Welling 2013) on a features column with
    SparkVAE's distributed trainer (synchronous parameter averaging over ``replicas``).

    Every JVM parameter is a keyword argument and has ``setX``/``getX``: architecture
    (``encoderHidden``, ``latentDim``, ...), likelihood and ELBO, Adam, distributed training
    (``epochs``, ``replicas``, ``averagingSteps``, ...), what the run writes besides the model
    (``checkpointDir``, ``resume``, ``metricsOut``, ``reportDir``, ...: paths as the JVM driver sees
    them) and the model's columns (``featuresCol``, ``latentMeanCol``, ``negElboCol``, ...).
    ``explainParams()`` lists them with doc and default.
    ``inputDim`` is taken from the data by ``fit``.

    >>> vae = VaeEstimator(featuresCol="pixels", latentDim=10, epochs=1, negElboCol="neg_elbo")
    >>> model = vae.fit(train_df)                                  # doctest: +SKIP
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self._java_obj = _new_java("VaeEstimator", self.uid)
        self._declare_defaults()
        self.setParams(**kwargs)

    def setParams(self, **kwargs: Any) -> "VaeEstimator":
        """Sets parameters by name; an unknown name or a wrong type raises, naming the parameter."""
        self._check_names(kwargs, _ESTIMATOR_SETTABLE)
        return self._set(**kwargs)

    def _create_model(self, java_model: Any) -> "VaeModel":
        return VaeModel(java_model)

    def _fit(self, dataset: Any) -> "VaeModel":
        try:
            return super()._fit(dataset)
        except Exception as e:
            _reraise_missing_jar(e)
            raise


for _name in _ESTIMATOR_SETTABLE:
    setattr(VaeEstimator, "set" + _capitalized(_name), _setter(_name))


class VaeModel(_VaeParams, JavaModel, _Readable, JavaMLWritable):
    """A fitted variational autoencoder; ``transform`` appends the requested columns: ``z_mean``,
    ``z_std`` (by default), and when named ``latentSampleCol``, ``negElboCol`` (per-row negative
    ELBO in nats, an anomaly score) and ``reconstructionCol``.

    Only the column, inference and score parameters and ``badRowPolicy`` change on a fitted model.
    Saving writes ``metadata/``, ``data/`` (the model-lib model, with the training history in
    ``data/model.json``) and ``export/`` (``model.safetensors`` with PyTorch-style names and
    ``config.json``): over Spark Connect, where only Spark's own methods may be called remotely,
    the training history, decoding and samples from the prior are reached through those files
    (:func:`sparkvae.load_exported`, :func:`sparkvae.training_history`).
    """

    def __init__(self, java_model: Optional[Any] = None) -> None:
        super().__init__(java_model)
        self._declare_defaults()
        if java_model is not None and not is_remote():
            self._transfer_params_from_java()

    def setParams(self, **kwargs: Any) -> "VaeModel":
        """Sets column, inference and score parameters by name."""
        self._check_names(kwargs, _MODEL_SETTABLE)
        return self._set(**kwargs)

    def _send(self, java: Any, name: str, value: Any) -> None:
        # Training parameters arrive here with the values the estimator had (fit copies them):
        # send only what differs, so a real change gets the JVM's message naming the parameter.
        current = java.getOrDefault(java.getParam(name))
        if _DECLS[name].type == "int[]":
            current = list(current)
        if current != value:
            java.setValue(name, self._java_value(value))

    def __repr__(self) -> str:
        if is_remote():
            return f"VaeModel: uid={self.uid}"
        return self._call_java("toString")

    def trainingHistory(self) -> List[Dict[str, Any]]:
        """One dict per training epoch (``epoch``, ``trainNegElbo``, ``valNegElbo`` in nats, ...).

        Classic PySpark only; over Spark Connect save the model and call
        :func:`sparkvae.training_history` on its directory.
        """
        if is_remote():
            raise NotImplementedError(
                "trainingHistory() needs classic PySpark: over Spark Connect, save the model and "
                "read sparkvae.training_history(path)"
            )
        text = self._java_obj.trainedVae().metadata().get("trainingHistory")
        return json.loads(text) if text else []


for _name in _MODEL_SETTABLE:
    setattr(VaeModel, "set" + _capitalized(_name), _setter(_name))
