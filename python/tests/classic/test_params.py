"""The Python params are the JVM's, one by one: name, type, doc, default and whether a fitted
model lets it change. A Java change fails here until ``python -m sparkvae._gen_params`` runs."""

import pytest

from sparkvae import VaeEstimator, VaeModel
from sparkvae._gen_params import java_declarations
from sparkvae._params import PARAMS

REGENERATE = "the Python params are stale: run `python -m sparkvae._gen_params` (see its docstring)"


def test_every_jvm_param_is_declared_in_python_with_the_same_doc_type_and_default(spark):
    java = {d.name: d for d in java_declarations(spark)}
    python = {d.name: d for d in PARAMS}
    assert list(python) == list(java), REGENERATE
    for name, j in java.items():
        p = python[name]
        assert p.type == j.type, f"{name}: type {p.type} in Python, {j.type} on the JVM; {REGENERATE}"
        assert p.doc == j.doc, f"{name}: doc differs; {REGENERATE}"
        assert p.default == j.default, f"{name}: default {p.default!r} vs {j.default!r}; {REGENERATE}"
        assert p.model_settable == j.model_settable, f"{name}: settable on a model differs; {REGENERATE}"


def test_stage_params_match_the_jvm_stage_params(spark):
    est = VaeEstimator()
    java = {p.name(): p for p in est._java_obj.params()}
    assert sorted(p.name for p in est.params) == sorted(java)
    for p in est.params:
        assert p.doc == java[p.name].doc(), p.name
        default = est._java_obj.getDefault(java[p.name]).get()
        default = list(default) if isinstance(est.getOrDefault(p), list) else default
        assert est.getOrDefault(p) == default, p.name
        assert hasattr(est, "get" + p.name[0].upper() + p.name[1:]), p.name


def test_estimator_has_a_setter_for_every_param_but_inputDim_and_model_for_inference_ones():
    for d in PARAMS:
        setter = "set" + d.name[0].upper() + d.name[1:]
        assert hasattr(VaeEstimator, setter) == (d.name != "inputDim"), d.name
        assert hasattr(VaeModel, setter) == d.model_settable, d.name
    assert {d.name for d in PARAMS if d.model_settable} >= {"featuresCol", "negElboCol", "badRowPolicy"}


def test_values_set_in_python_reach_the_jvm_with_their_jvm_types(spark):
    est = VaeEstimator(encoderHidden=[300, 100], latentDim=5, beta=2, seed=2**40, negElboCol="s")
    java = est._to_java()
    assert list(java.getEncoderHidden()) == [300, 100]
    assert java.getLatentDim() == 5
    assert java.getBeta() == 2.0
    assert java.getSeed() == 2**40
    assert java.getNegElboCol() == "s"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"latentDim": "ten"}, "latentDim"),
        ({"encoderHidden": "wide"}, "encoderHidden"),
        ({"beta": [1.0]}, "beta"),
    ],
)
def test_a_wrong_type_names_the_param(kwargs, message, spark):
    with pytest.raises(TypeError, match=message):
        VaeEstimator(**kwargs)


def test_an_unknown_param_names_it_and_suggests_the_closest(spark):
    with pytest.raises(ValueError, match=r"unknown parameter 'latentDimm'.*did you mean 'latentDim'"):
        VaeEstimator(latentDimm=3)


def test_inputDim_is_refused_on_the_estimator(spark):
    with pytest.raises(ValueError, match="inputDim is not set on VaeEstimator"):
        VaeEstimator(inputDim=3)
