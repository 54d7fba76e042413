"""Fixtures shared by the training and service tests.

Real-data tests use ``../shared/data/creditcard_real_rows.csv`` beside the project
(never a copy inside it). Without it they skip, unless ``REQUIRE_REAL_DATA=1``
(CI sets it when the file is present) turns the skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA_CSV = REPO_ROOT.parent / "shared" / "data" / "creditcard_real_rows.csv"


@pytest.fixture(scope="session")
def real_data_csv() -> Path:
    if not REAL_DATA_CSV.is_file():
        message = f"real rows not found at {REAL_DATA_CSV}"
        if os.environ.get("REQUIRE_REAL_DATA") == "1":
            pytest.fail(f"{message}, and REQUIRE_REAL_DATA=1 makes them mandatory")
        pytest.skip(message)
    return REAL_DATA_CSV


@pytest.fixture(scope="session")
def real_bundle(real_data_csv, tmp_path_factory) -> Path:
    """A bundle trained with the default settings on the real rows (once per run)."""
    from training.config import TrainingConfig
    from training.pipeline import run

    out = tmp_path_factory.mktemp("real") / "bundle"
    run(TrainingConfig(data=real_data_csv, out=out))
    return out


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory) -> Path:
    """A small bundle trained quickly on synthetic demo data (once per run)."""
    from training.config import FitSettings, TrainingConfig
    from training.pipeline import run

    out = tmp_path_factory.mktemp("demo") / "bundle"
    run(TrainingConfig(out=out, demo_rows=20_000, fit=FitSettings(epochs=3), seed=7))
    return out
