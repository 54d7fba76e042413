"""Bundles built by hand for the service tests, and valid request bodies.

``write_bundle`` writes any Keras model and scaler as a complete bundle, so a test can
build exactly the edge case it needs; ``linear_model`` is a network whose answer is
computable by hand: fraud_probability = sigmoid(V1).
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.preprocessing import StandardScaler

from bundle import (
    CHECKSUMMED_FILES,
    FEATURE_NAMES,
    FORMAT_VERSION,
    MANIFEST_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PR_CURVE_FILE,
    ROC_CURVE_FILE,
    SCALER_FILE,
    DataSummary,
    Manifest,
    SplitSummary,
    ThresholdChoice,
    file_sha256,
)

LOGIT_OF_THREE_QUARTERS = math.log(3.0)  # sigmoid(log 3) = 3 / 4


def placeholder_png() -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def write_bundle(
    directory: Path,
    model: Any,
    scaler: StandardScaler,
    *,
    version_id: str = "test-bundle",
    threshold: float = 0.5,
    features: list[str] | None = None,
) -> Path:
    """Write ``model`` and ``scaler`` as a complete bundle in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    model.save(directory / MODEL_FILE)
    joblib.dump(scaler, directory / SCALER_FILE)
    metrics = {
        "test": {"auprc": 0.8123, "auroc": 0.9712, "rows": 1000, "frauds": 17},
        "operating_point": {"threshold": threshold, "precision": 0.9, "recall": 0.75},
    }
    (directory / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n")
    for name in (PR_CURVE_FILE, ROC_CURVE_FILE):
        (directory / name).write_bytes(placeholder_png())

    manifest = Manifest(
        format_version=FORMAT_VERSION,
        version_id=version_id,
        created_at=datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc),
        model="focal-loss MLP (test bundle)",
        features=list(FEATURE_NAMES) if features is None else features,
        threshold=ThresholdChoice(value=threshold, rule="set by the test"),
        data=DataSummary(
            file="synthetic.csv", sha256="0" * 64, rows=1000, frauds=17, synthetic=True
        ),
        split=SplitSummary(
            method="stratified",
            seed=1,
            test_fraction=0.2,
            validation_fraction=0.1,
            train_rows=700,
            train_frauds=12,
            validation_rows=100,
            validation_frauds=2,
            test_rows=200,
            test_frauds=3,
        ),
        parameters={"epochs": 0, "hidden_units": [200, 100, 20]},
        library_versions={},
        training_seconds=0.0,
        files={name: file_sha256(directory / name) for name in CHECKSUMMED_FILES},
    )
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2))
    return directory


def identity_scaler() -> StandardScaler:
    """A StandardScaler with mean 0 and scale 1: fitted on rows of all +1 and all -1."""
    return StandardScaler().fit(np.array([[1.0] * 30, [-1.0] * 30]))


def realistic_rows(count: int, seed: int) -> np.ndarray:
    """Rows in the ranges of the published data: Time in seconds over two days,
    V1..V28 around 0 with a few large values, Amount log-normal."""
    rng = np.random.default_rng(seed)
    rows = np.empty((count, len(FEATURE_NAMES)))
    rows[:, 0] = rng.uniform(0, 172_792, count)
    rows[:, 1:29] = rng.standard_normal((count, 28)) * rng.uniform(0.3, 2.0, 28)
    rows[:, 29] = rng.lognormal(3.0, 1.5, count)
    return rows


def linear_model() -> Any:
    """fraud_probability = sigmoid(V1): one sigmoid unit reading V1 only."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((len(FEATURE_NAMES),)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    kernel = np.zeros((len(FEATURE_NAMES), 1), dtype=np.float32)
    kernel[FEATURE_NAMES.index("V1"), 0] = 1.0
    model.layers[0].set_weights([kernel, np.zeros(1, dtype=np.float32)])
    return model


def reference_model(seed: int = 1, dropout: float = 0.0) -> Any:
    """The reference architecture, untrained (he_normal initial weights)."""
    import keras

    keras.utils.set_random_seed(seed)
    layers: list[Any] = [keras.Input((len(FEATURE_NAMES),))]
    for units in (200, 100, 20):
        layers.append(
            keras.layers.Dense(units, activation="relu", kernel_initializer="he_normal")
        )
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


def transaction(v1: float = 0.0, **fields: Any) -> dict[str, Any]:
    """A valid transaction: every feature 1.0 except V1, plus ``fields``."""
    body: dict[str, Any] = {name: 1.0 for name in FEATURE_NAMES}
    body["V1"] = v1
    body.update(fields)
    return body
