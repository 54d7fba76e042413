"""The numpy fast path scores like model.predict."""

from __future__ import annotations

import warnings

import joblib
import keras
import numpy as np
import pytest

from bundle import MODEL_FILE, SCALER_FILE
from service.scorer import SELF_CHECK_TOLERANCE, Scorer
from tests.service.bundles import (
    LOGIT_OF_THREE_QUARTERS,
    realistic_rows,
    reference_model,
    write_bundle,
)


def rows_with_extremes(count: int) -> np.ndarray:
    """Realistic rows, then rows far outside the training range."""
    rows = realistic_rows(count, seed=3)
    rows[-50:, 1:29] *= 40.0
    rows[-50:, 29] = 25_000.0
    rows[-25:, 0] = 0.0
    return rows


def keras_reference(directory, rows: np.ndarray) -> np.ndarray:
    """model.predict on the scaled rows, from the bundle's files directly."""
    model = keras.models.load_model(directory / MODEL_FILE, compile=False)
    scaler = joblib.load(directory / SCALER_FILE)
    return model.predict(scaler.transform(rows), verbose=0, batch_size=4096)[:, 0]


def test_the_fast_path_equals_model_predict_on_the_trained_demo_bundle(demo_bundle):
    rows = rows_with_extremes(10_000)

    fast = Scorer.load(demo_bundle).score(rows)

    assert fast.shape == (10_000,)
    assert (
        np.max(np.abs(fast - keras_reference(demo_bundle, rows)))
        <= SELF_CHECK_TOLERANCE
    )


def test_dropout_layers_are_the_identity_when_scoring(tmp_path):
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(realistic_rows(2000, seed=4))
    directory = write_bundle(tmp_path / "bundle", reference_model(dropout=0.5), scaler)
    rows = rows_with_extremes(5000)

    fast = Scorer.load(directory).score(rows)

    assert (
        np.max(np.abs(fast - keras_reference(directory, rows))) <= SELF_CHECK_TOLERANCE
    )


def test_the_linear_bundle_scores_the_sigmoid_of_v1(linear_bundle):
    rows = np.ones((4, 30))
    rows[:, 1] = [0.0, LOGIT_OF_THREE_QUARTERS, -LOGIT_OF_THREE_QUARTERS, 2.0]

    probabilities = Scorer.load(linear_bundle).score(rows)

    expected = [0.5, 0.75, 0.25, 1 / (1 + np.exp(-2.0))]
    assert probabilities == pytest.approx(expected, abs=1e-6)


def test_saturated_scores_are_exactly_zero_or_one_without_overflow(linear_bundle):
    scorer = Scorer.load(linear_bundle)
    rows = np.ones((2, 30))
    rows[:, 1] = [-1000.0, 1000.0]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probabilities = scorer.score(rows)

    assert probabilities.tolist() == [0.0, 1.0]


def test_each_row_is_scored_independently_of_its_batch(demo_bundle):
    scorer = Scorer.load(demo_bundle)
    rows = rows_with_extremes(6000)  # more rows than one chunk

    together = scorer.score(rows)
    alone = np.array([scorer.score(rows[i : i + 1])[0] for i in (0, 4095, 4096, 5999)])

    assert alone == pytest.approx(together[[0, 4095, 4096, 5999]], abs=1e-7)
