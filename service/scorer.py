"""The scorer: a loaded artifact bundle and the fast path that scores with it.

Keras's ``model.predict`` costs tens of milliseconds per call whatever the batch, so
the service never calls it per request. At load the scaler's mean and scale and the
Dense layers' kernels and biases are copied out of the bundle, and a transaction is
scored with numpy:

    h_0 = (x - mean) / scale
    h_k = activation_k(h_{k-1} @ kernel_k + bias_k)
    fraud_probability = h_K  (the single sigmoid unit of the last layer)

with the scaling folded into the first layer (``_fold_scaler``), in float32.

A self-check at load compares this against ``model.predict`` and refuses a bundle on
which they differ by more than ``SELF_CHECK_TOLERANCE``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.special import expit
from sklearn.preprocessing import StandardScaler

from bundle import (
    FEATURE_NAMES,
    METRICS_FILE,
    MODEL_FILE,
    SCALER_FILE,
    BundleError,
    Manifest,
    read_manifest,
)

logger = logging.getLogger(__name__)

SELF_CHECK_TOLERANCE = 1e-5

# Rows scored at once: big enough for fast matrix products, small enough that the
# hidden layers of a chunk (rows x 200 x 4 bytes for the widest) stay small.
_CHUNK_ROWS = 4096

_RETRAIN = "run `python -m training` to write a bundle, or point ARTIFACTS_DIR at one"


def _relu(values: np.ndarray) -> None:
    np.maximum(values, 0, out=values)


def _sigmoid(values: np.ndarray) -> None:
    expit(values, out=values)


_ACTIVATIONS = {"relu": _relu, "sigmoid": _sigmoid}


@dataclass(frozen=True)
class DenseLayer:
    """One Dense layer: ``activation(inputs @ kernel + bias)``."""

    kernel: np.ndarray  # (inputs, units)
    bias: np.ndarray  # (units,)
    activation: str  # a key of _ACTIVATIONS


def dense_layers(model: Any, path: Path) -> list[DenseLayer]:
    """Return the Dense layers of ``model`` in order, as numpy arrays.

    InputLayer and Dropout (the identity at inference) are skipped.

    Raises:
        BundleError: a layer is neither Dense, InputLayer nor Dropout, a Dense layer
            has an activation other than relu or sigmoid, or the layers do not map
            ``len(FEATURE_NAMES)`` inputs to one sigmoid probability.
    """
    import keras

    unsupported = (
        f"the fast scoring path understands Dense layers with relu or sigmoid "
        f"activation only (and Dropout); {_RETRAIN}"
    )
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer | keras.layers.Dropout):
            continue
        kind = type(layer).__name__
        if not isinstance(layer, keras.layers.Dense):
            raise BundleError(
                f"{path} has layer {layer.name!r} of type {kind}: {unsupported}"
            )
        activation = layer.get_config()["activation"]
        if activation not in _ACTIVATIONS:
            raise BundleError(
                f"{path} has Dense layer {layer.name!r} with activation "
                f"{activation!r}: {unsupported}"
            )
        kernel = np.asarray(layer.kernel, dtype=np.float64)
        units = kernel.shape[1]
        bias = (
            np.zeros(units)
            if layer.bias is None
            else np.asarray(layer.bias, np.float64)
        )
        layers.append(DenseLayer(kernel, bias, activation))

    if not layers:
        raise BundleError(f"{path} has no Dense layer: {unsupported}")
    widths = [layers[0].kernel.shape[0]] + [layer.kernel.shape[1] for layer in layers]
    if (
        widths[0] != len(FEATURE_NAMES)
        or widths[-1] != 1
        or layers[-1].activation != "sigmoid"
        or any(a.kernel.shape[1] != b.kernel.shape[0] for a, b in pairwise(layers))
    ):
        raise BundleError(
            f"{path} has Dense layers of widths {widths} ending in "
            f"{layers[-1].activation}; expected {len(FEATURE_NAMES)} inputs, a chain "
            f"of layers and one sigmoid output; {_RETRAIN}"
        )
    return layers


class Scorer:
    """The artifacts of one bundle, ready to score transactions.

    Build it with ``Scorer.load``; ``score`` is the fast path.
    """

    def __init__(
        self,
        manifest: Manifest,
        metrics_json: bytes,
        model: Any,
        scaler: Any,
        layers: list[DenseLayer],
    ) -> None:
        self.manifest = manifest
        self.metrics_json = metrics_json
        self.model = model
        self.scaler = scaler
        self._float64_layers = _fold_scaler(scaler, layers)
        self._use_precision(np.float32)

    @classmethod
    def load(cls, directory: Path) -> Scorer:
        """Read and verify the bundle in ``directory``, then run the self-check.

        Raises:
            BundleError: the bundle is missing, incomplete, corrupted, written for
                other features, or its model is not one the fast path can score;
                the message names the file and what to do.
        """
        directory = Path(directory)
        manifest = read_manifest(directory)
        import keras  # after the cheap checks: importing TensorFlow takes seconds

        metrics_path = directory / METRICS_FILE
        metrics_json = metrics_path.read_bytes()
        try:
            json.loads(metrics_json)
        except ValueError as error:
            raise BundleError(
                f"{metrics_path} is not JSON ({error}); {_RETRAIN}"
            ) from error

        scaler_path = directory / SCALER_FILE
        # Limitation: joblib (pickle) and Keras files can run code when loaded, so a
        # bundle must come from a trusted training run; the checksums catch
        # corruption, not tampering.
        try:
            scaler = joblib.load(scaler_path)
        except Exception as error:  # unpickling raises many types for a bad file
            raise BundleError(
                f"{scaler_path} cannot be loaded ({error}); {_RETRAIN}"
            ) from error
        _check_scaler(scaler, scaler_path)

        model_path = directory / MODEL_FILE
        try:
            model = keras.models.load_model(model_path, compile=False)
        except Exception as error:  # Keras raises many types for an unreadable file.
            raise BundleError(
                f"{model_path} cannot be loaded ({error}); {_RETRAIN}"
            ) from error
        layers = dense_layers(model, model_path)

        scorer = cls(manifest, metrics_json, model, scaler, layers)
        scorer.self_check(model_path)
        return scorer

    def score(self, features: np.ndarray) -> np.ndarray:
        """Return the fraud probability of each row of ``features``.

        Args:
            features: unscaled features, shape ``(n, len(FEATURE_NAMES))``, columns
                in ``FEATURE_NAMES`` order.

        Returns:
            Probabilities in [0, 1], shape ``(n,)``.
        """
        if len(features) <= _CHUNK_ROWS:
            return self._forward(features)
        return np.concatenate(
            [
                self._forward(features[start : start + _CHUNK_ROWS])
                for start in range(0, len(features), _CHUNK_ROWS)
            ]
        )

    def _forward(self, features: np.ndarray) -> np.ndarray:
        values = features.astype(self._dtype)
        for kernel, bias, activation in self._layers:
            values = values @ kernel
            values += bias
            activation(values)
        return values[:, 0]

    def _use_precision(self, dtype: type[np.floating]) -> None:
        self._dtype = dtype
        self._layers = [
            (
                layer.kernel.astype(dtype),
                layer.bias.astype(dtype),
                _ACTIVATIONS[layer.activation],
            )
            for layer in self._float64_layers
        ]

    def score_with_model(self, features: np.ndarray) -> np.ndarray:
        """Return what ``model.predict`` gives for ``features``: the slow reference."""
        scaled = self.scaler.transform(_scaler_input(self.scaler, features))
        return self.model.predict(scaled, verbose=0)[:, 0]

    def self_check(self, model_path: Path) -> None:
        """Check ``score`` against ``model.predict`` on deterministic rows.

        The rows are the scaler's mean, points a few standard deviations from it and
        a few far out, where the activations saturate. Scores in float32 when that
        agrees within ``SELF_CHECK_TOLERANCE``, else in float64.

        Raises:
            BundleError: neither precision agrees within the tolerance.
        """
        offsets = np.random.default_rng(0).standard_normal((16, len(FEATURE_NAMES)))
        offsets[0] = 0.0
        offsets[-4:] *= 20.0
        mean, scale = _mean_and_scale(self.scaler)
        rows = mean + offsets * scale
        expected = self.score_with_model(rows)

        for dtype in (np.float32, np.float64):
            self._use_precision(dtype)
            difference = float(np.max(np.abs(self.score(rows) - expected)))
            if difference <= SELF_CHECK_TOLERANCE:
                logger.info(
                    "fast scoring path agrees with model.predict within %.1e (%s)",
                    difference,
                    np.dtype(dtype).name,
                )
                return
        raise BundleError(
            f"{model_path}: the fast scoring path differs from model.predict by "
            f"{difference:.3g} (tolerance {SELF_CHECK_TOLERANCE}), so the model is "
            f"not the plain chain of Dense layers the fast path computes; {_RETRAIN}"
        )


def bundle_problem(directory: Path) -> str | None:
    """Load the bundle in ``directory`` as the service does and return what stops
    it from being served (the ``BundleError`` message), or None.

    For a check in another process, to which a Scorer could not be handed back.
    """
    try:
        Scorer.load(directory)
    except BundleError as error:
        return str(error)
    return None


def _mean_and_scale(scaler: StandardScaler) -> tuple[np.ndarray, np.ndarray]:
    # StandardScaler leaves out the centring or the scaling when told to.
    features = len(FEATURE_NAMES)
    mean = scaler.mean_ if scaler.with_mean else np.zeros(features)
    scale = scaler.scale_ if scaler.with_std else np.ones(features)
    return mean, scale


def _fold_scaler(scaler: StandardScaler, layers: list[DenseLayer]) -> list[DenseLayer]:
    """The layers with the scaling folded into the first one, which then reads
    unscaled features: ((x - mean) / scale) @ W + b = x @ (W / scale) + (b - (mean /
    scale) @ W), with scale dividing each row of W."""
    mean, scale = _mean_and_scale(scaler)
    first = layers[0]
    folded = DenseLayer(
        first.kernel / scale[:, np.newaxis],
        first.bias - (mean / scale) @ first.kernel,
        first.activation,
    )
    return [folded, *layers[1:]]


def _check_scaler(scaler: Any, path: Path) -> None:
    names = getattr(scaler, "feature_names_in_", None)
    if (
        not isinstance(scaler, StandardScaler)
        or not hasattr(scaler, "scale_")
        or scaler.n_features_in_ != len(FEATURE_NAMES)
        or (names is not None and tuple(names) != FEATURE_NAMES)
    ):
        raise BundleError(
            f"{path} is not a StandardScaler fitted on the {len(FEATURE_NAMES)} "
            f"features {list(FEATURE_NAMES)}; {_RETRAIN}"
        )


def _scaler_input(scaler: Any, features: np.ndarray) -> Any:
    # A scaler fitted on a DataFrame warns when given bare arrays.
    if getattr(scaler, "feature_names_in_", None) is None:
        return features
    import pandas as pd

    return pd.DataFrame(features, columns=list(FEATURE_NAMES))
