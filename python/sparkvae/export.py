"""A saved SparkVAE model outside Spark: the encoder and decoder as numpy functions (no torch).

Reads ``export/`` of a saved ``VaeModel`` (``model.safetensors`` + ``config.json``, written by
every save and by ``VaeModel.exportSafetensors`` in Java), or a model-lib model directory
(``data/``: ``model.json`` + ``parameters.bin``). Computes in float64; the JVM computes in float32,
so results agree to float32 precision (about 1e-6 relative).
"""

import json
import math
import os
import struct
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

#: The ``format`` of ``export/config.json`` and the versions this reader knows.
EXPORT_FORMAT = "sparkvae-vae-export"
EXPORT_VERSIONS = (1,)
#: The ``format`` of a model-lib ``model.json`` and the versions this reader knows.
MODEL_FORMAT = "sparkvae-vae"
MODEL_VERSIONS = (1, 2)

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_PARAMS_MAGIC = b"SVAEPRM1"


def _torch_name(layout_name: str) -> str:
    """PyTorch-style name of a model-lib layout entry (as the JVM's SafetensorsExport maps it)."""
    parts = layout_name.split(".")
    layer, suffix = ".".join(parts[:2]), ("." + parts[2] if len(parts) == 3 else "")
    fixed = {
        "enc.loc": "encoder.fc_loc",
        "enc.scale": "encoder.fc_log_scale",
        "dec.out": "decoder.fc_out",
        "dec.logStd": "decoder.log_std",
    }
    if layer in fixed:
        return fixed[layer] + suffix
    side = {"enc": "encoder", "dec": "decoder"}[parts[0]]
    return f"{side}.fc{int(parts[1][1:]) + 1}{suffix}"


def read_safetensors(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """The float32 tensors and the ``__metadata__`` of a safetensors file (no dependency)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} runs past the end of the file ({len(data)} bytes)")
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {t['dtype']}, expected F32")
        begin, end = t["data_offsets"]
        shape = tuple(int(d) for d in t["shape"])
        a = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=base + begin)
        tensors[name] = a.reshape(shape)
    return tensors, meta


def _read_model_lib(directory: str) -> Tuple[Dict[str, Any], Dict[str, np.ndarray], Dict[str, str]]:
    with open(os.path.join(directory, "model.json"), encoding="utf-8") as f:
        desc = json.load(f)
    if desc.get("format") != MODEL_FORMAT or desc.get("formatVersion") not in MODEL_VERSIONS:
        raise ValueError(
            f"{directory}/model.json: format {desc.get('format')} version {desc.get('formatVersion')}"
            f" is not one this reader knows ({MODEL_FORMAT} {MODEL_VERSIONS})"
        )
    p = desc["parameters"]
    with open(os.path.join(directory, p["file"]), "rb") as f:
        raw = f.read()
    if raw[:8] != _PARAMS_MAGIC:
        raise ValueError(f"{directory}/{p['file']}: wrong magic number")
    flat = np.frombuffer(raw, dtype="<f4", offset=12, count=int(p["count"]))
    tensors = {}
    for t in p["tensors"]:
        size = int(np.prod(t["shape"]))
        tensors[_torch_name(t["name"])] = flat[t["offset"] : t["offset"] + size].reshape(t["shape"])
    return _model_lib_config(desc), tensors, desc.get("metadata", {})


def _model_lib_config(desc: Dict[str, Any]) -> Dict[str, Any]:
    """Version 1 holds one "config"; version 2 the "architecture" apart from the "training" settings."""
    if desc["formatVersion"] == 1:
        return desc["config"]
    return {**desc["architecture"], **desc["training"]}


def _read_export(directory: str) -> Tuple[Dict[str, Any], Dict[str, np.ndarray], Dict[str, str]]:
    with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
        desc = json.load(f)
    if desc.get("format") != EXPORT_FORMAT or desc.get("formatVersion") not in EXPORT_VERSIONS:
        raise ValueError(
            f"{directory}/config.json: format {desc.get('format')} version {desc.get('formatVersion')}"
            f" is not one this reader knows ({EXPORT_FORMAT} {EXPORT_VERSIONS})"
        )
    tensors, _ = read_safetensors(os.path.join(directory, desc.get("weights", "model.safetensors")))
    return desc["config"], tensors, desc.get("metadata", {})


def _resolve(path: str) -> Tuple[str, str]:
    """(kind, directory) for a VaeModel directory, its export/ or data/, or either on its own."""
    path = path[len("file:") :] if path.startswith("file:") else path
    for sub in ("export", "data", "."):
        d = os.path.normpath(os.path.join(path, sub))
        if os.path.isfile(os.path.join(d, "config.json")):
            return "export", d
        if os.path.isfile(os.path.join(d, "model.json")):
            return "model-lib", d
    raise FileNotFoundError(
        f"no SparkVAE model at {path}: expected a saved VaeModel directory (with export/ or data/),"
        " an export directory (config.json + model.safetensors) or a model-lib directory"
        " (model.json + parameters.bin) on a local or mounted file system"
    )


def load_exported(path: str) -> "ExportedVae":
    """Loads a saved model for numpy (and torch): ``path`` is a ``VaeModel`` save directory, its
    ``export/`` (safetensors) or its ``data/`` (model-lib format), on a local or mounted path."""
    kind, d = _resolve(path)
    config, tensors, metadata = _read_export(d) if kind == "export" else _read_model_lib(d)
    return ExportedVae(config, tensors, metadata)


def training_history(path: str) -> List[Dict[str, Any]]:
    """One dict per training epoch of a saved model (``epoch``, ``trainNegElbo``, ``valNegElbo``
    in nats, ``samplesPerSec``, ...); empty for a model trained outside Spark."""
    return load_exported(path).training_history()


def _softplus(a: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, a)


class ExportedVae:
    """The encoder q(z|x) and decoder p(x|z) of a trained VAE as numpy functions.

    Weights are ``[out, in]`` (``torch.nn.Linear``'s layout) under PyTorch-style names
    (``encoder.fc1.weight``, ``encoder.fc_loc.bias``, ``decoder.fc_out.weight``, ...).
    """

    def __init__(self, config: Dict[str, Any], tensors: Dict[str, np.ndarray], metadata: Dict[str, str]):
        self.config = dict(config)
        self.tensors = tensors
        self.metadata = dict(metadata)
        self._w = {k: v.astype(np.float64) for k, v in tensors.items()}
        self.input_dim = int(config["inputDim"])
        self.latent_dim = int(config["latentDim"])
        self._enc = len(config["encoderHidden"])
        self._dec = len(config["decoderHidden"])

    def _linear(self, h: np.ndarray, name: str) -> np.ndarray:
        return h @ self._w[name + ".weight"].T + self._w[name + ".bias"]

    def _act(self, a: np.ndarray) -> np.ndarray:
        kind = self.config.get("activation", "softplus")
        if kind == "relu":
            return np.maximum(a, 0.0)
        if kind == "tanh":
            return np.tanh(a)
        return _softplus(a)

    def _check(self, a: Any, dim: int, what: str) -> np.ndarray:
        x = np.asarray(a, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != dim:
            raise ValueError(f"{what} must have shape [rows, {dim}], got {list(x.shape)}")
        return x

    def encode_params(self, x: Any) -> Tuple[np.ndarray, np.ndarray]:
        """Posterior mean and log standard deviation, each ``[rows, latentDim]``."""
        h = self._check(x, self.input_dim, "x")
        for i in range(1, self._enc + 1):
            h = self._act(self._linear(h, f"encoder.fc{i}"))
        return self._linear(h, "encoder.fc_loc"), self._linear(h, "encoder.fc_log_scale")

    def encode(self, x: Any) -> Tuple[np.ndarray, np.ndarray]:
        """Posterior mean ``z_mean`` and standard deviation ``z_std`` (what transform writes)."""
        loc, log_scale = self.encode_params(x)
        return loc, np.exp(log_scale)

    def decode_raw(self, z: Any) -> np.ndarray:
        """The decoder's output layer for codes ``[..., rows, latentDim]``: Bernoulli logits or
        Gaussian means."""
        h = np.asarray(z, dtype=np.float64)
        for i in range(1, self._dec + 1):
            h = self._act(self._linear(h, f"decoder.fc{i}"))
        return self._linear(h, "decoder.fc_out")

    def decode(self, z: Any) -> np.ndarray:
        """Decoder means E[x|z] (probabilities for the Bernoulli likelihood), ``[rows, inputDim]``."""
        out = self.decode_raw(self._check(z, self.latent_dim, "z"))
        return 1.0 / (1.0 + np.exp(-out)) if self._bernoulli() else out

    def reconstruct(self, x: Any) -> np.ndarray:
        """Decoder means at the posterior mean (transform's reconstruction column)."""
        return self.decode(self.encode(x)[0])

    def sample_prior(self, n: int, seed: Optional[int] = None) -> np.ndarray:
        """``n`` new examples: decoder means of codes drawn from N(0, I) with numpy's generator
        (not the JVM's draws of ``VaeModel.generate``)."""
        z = np.random.default_rng(seed).standard_normal((n, self.latent_dim))
        return self.decode(z)

    def _bernoulli(self) -> bool:
        return self.config.get("likelihood", "bernoulli") == "bernoulli"

    def _log_likelihood(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self._bernoulli():
            return np.sum(x * out - _softplus(out), axis=-1)
        if "decoder.log_std" in self._w:
            log_std = self._w["decoder.log_std"]
        else:
            log_std = math.log(float(self.config["gaussianFixedStd"]))
        z = (x - out) * np.exp(-log_std)
        return np.sum(-0.5 * z * z - log_std - _HALF_LOG_2PI, axis=-1)

    def neg_elbo(self, x: Any, eps: Any) -> np.ndarray:
        """The per-row negative ELBO in nats with KL weight 1, as transform's ``negElboCol``:
        ``eps`` holds the standard-normal noise, ``[samples, rows, latentDim]`` (or ``[rows,
        latentDim]`` for one sample); above one sample it is the importance-weighted bound (Burda
        et al. 2015). With the JVM's noise (``VaeModel.scoreNoise``) it reproduces the JVM's scores.
        """
        x = self._check(x, self.input_dim, "x")
        e = np.asarray(eps, dtype=np.float64)
        if e.ndim == 2:
            e = e[None]
        if e.shape[1:] != (x.shape[0], self.latent_dim):
            raise ValueError(f"eps must have shape [samples, {x.shape[0]}, {self.latent_dim}], got {list(e.shape)}")
        k = e.shape[0]
        loc, log_scale = self.encode_params(x)
        z = e * np.exp(log_scale) + loc
        log_px = self._log_likelihood(x, self.decode_raw(z))
        if k == 1 and self.config.get("klEstimator") == "analytic":
            kl = 0.5 * np.sum(np.exp(2 * log_scale) + loc * loc - 2 * log_scale - 1, axis=-1)
            return kl - log_px[0]
        log_w = log_px - np.sum(0.5 * (z * z - e * e) - log_scale, axis=-1)
        if k == 1:
            return -log_w[0]
        m = np.max(log_w, axis=0)
        return -(np.log(np.sum(np.exp(log_w - m), axis=0)) + m - math.log(k))

    def training_history(self) -> List[Dict[str, Any]]:
        """One dict per training epoch, from the model's metadata; empty when not recorded."""
        text = self.metadata.get("trainingHistory")
        return json.loads(text) if text else []

    def to_torch(self) -> Any:
        """The encoder and decoder as a ``torch.nn.Module`` (needs torch), with the weights loaded
        from this model's tensors; ``module(x)`` returns ``(z_mean, z_std)``, ``module.decode(z)``
        the decoder means."""
        from sparkvae._torch import build_module

        return build_module(self)
