"""The service on a bundle trained on the real rows in ../shared/data (skipped on a
fresh clone without them; mandatory in CI, see the ``real_data_csv`` fixture)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from bundle import FEATURE_NAMES, METRICS_FILE, read_manifest
from service.app import create_app
from service.scorer import Scorer
from service.settings import Settings
from training.split import split_transactions

pytestmark = [pytest.mark.real_data, pytest.mark.slow]


@pytest.fixture(scope="module")
def real_rows(real_data_csv: Path) -> pd.DataFrame:
    return pd.read_csv(real_data_csv)


@pytest.fixture(scope="module")
def test_rows(real_rows: pd.DataFrame, real_bundle: Path) -> pd.DataFrame:
    """The rows the bundle's evaluation table was measured on."""
    split = read_manifest(real_bundle).split
    return split_transactions(
        real_rows,
        split.method,
        test_fraction=split.test_fraction,
        validation_fraction=split.validation_fraction,
        seed=split.seed,
    ).test


@pytest.fixture(scope="module")
def client(real_bundle: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(artifacts_dir=real_bundle))) as client:
        yield client


def as_requests(rows: pd.DataFrame) -> list[dict]:
    records = rows[list(FEATURE_NAMES)].to_dict(orient="records")
    return [
        {"id": int(index), **record}
        for index, record in zip(rows.index, records, strict=True)
    ]


def score(client: TestClient, rows: pd.DataFrame, threshold: float | None = None):
    """POST ``rows`` in batches; return the predictions in row order."""
    query = "" if threshold is None else f"?threshold={threshold}"
    predictions = []
    transactions = as_requests(rows)
    for start in range(0, len(transactions), 5_000):
        response = client.post(
            f"/predict{query}",
            json={"transactions": transactions[start : start + 5_000]},
        )
        assert response.status_code == 200, response.text
        predictions += response.json()["predictions"]
    return predictions


def test_fast_path_gives_the_keras_probabilities_on_every_real_row(
    real_bundle, real_rows
):
    scorer = Scorer.load(real_bundle)
    features = real_rows[list(FEATURE_NAMES)].to_numpy(dtype=np.float64)

    fast = scorer.score(features)
    keras_probabilities = scorer.score_with_model(features)

    np.testing.assert_allclose(fast, keras_probabilities, rtol=0, atol=1e-5)


def test_service_reproduces_the_stored_confusion_matrix(client, real_bundle, test_rows):
    stored = json.loads((real_bundle / METRICS_FILE).read_text())
    chosen = stored["models"]["focal_loss"]["at_chosen_threshold"]

    predictions = score(client, test_rows)

    flagged = np.array([prediction["is_fraud"] for prediction in predictions])
    frauds = test_rows["Class"].to_numpy() == 1
    assert [prediction["id"] for prediction in predictions] == list(test_rows.index)
    assert {
        "tn": int((~flagged & ~frauds).sum()),
        "fp": int((flagged & ~frauds).sum()),
        "fn": int((~flagged & frauds).sum()),
        "tp": int((flagged & frauds).sum()),
    } == chosen["confusion_matrix"]


def test_real_frauds_score_high_and_typical_legitimate_rows_low(
    client, real_bundle, test_rows
):
    threshold = read_manifest(real_bundle).threshold.value
    predictions = score(client, test_rows)
    probability = np.array([p["fraud_probability"] for p in predictions])
    frauds = test_rows["Class"].to_numpy() == 1

    # Focal loss leaves easy transactions under-confident (it stops pushing them
    # towards 0), so "low" is measured against the operating threshold.
    assert np.median(probability[frauds]) > 0.5 > threshold
    assert np.median(probability[~frauds]) < threshold / 4
    assert np.quantile(probability[~frauds], 0.99) < threshold


def test_threshold_zero_flags_everything_and_one_only_certainties(client, test_rows):
    rows = test_rows.iloc[:2_000]

    everything = score(client, rows, threshold=0)
    certain = score(client, rows, threshold=1)

    assert all(p["is_fraud"] for p in everything)
    assert [p["is_fraud"] for p in certain] == [
        p["fraud_probability"] >= 1.0 for p in certain
    ]
    assert sum(p["is_fraud"] for p in certain) < rows["Class"].sum()
