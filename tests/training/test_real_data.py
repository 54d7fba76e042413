"""Training on the real ULB rows in ../shared/data (skipped on a fresh clone without
them; mandatory in CI). Thresholds below are the reference study's figures, which
the product must beat; see DEVELOPERS.md."""

import json

import pytest

import bundle

pytestmark = [pytest.mark.real_data, pytest.mark.slow]

# From ../shared/data/README.md: the file's published checksum and counts.
REAL_ROWS_SHA256 = "febde4e26b5675749d6b20f7a99837774bebb095f8237815028b655b6d1c60da"
REFERENCE_FOCAL = {"recall": 0.7973, "auroc": 0.9632}


def models(real_bundle) -> dict:
    return json.loads((real_bundle / bundle.METRICS_FILE).read_text())["models"]


def test_manifest_records_the_real_file(real_bundle):
    manifest = bundle.read_manifest(real_bundle)

    assert manifest.data.sha256 == REAL_ROWS_SHA256
    assert (manifest.data.rows, manifest.data.frauds) == (43_920, 473)
    assert not manifest.data.synthetic
    assert manifest.split.test_rows == 13_176  # 30% of 43,920
    assert manifest.split.test_frauds == 142  # stratified: 30% of 473


def test_focal_model_beats_the_reference_recall_and_auroc(real_bundle):
    focal = models(real_bundle)["focal_loss"]

    assert focal["at_chosen_threshold"]["recall"] > REFERENCE_FOCAL["recall"]
    assert focal["auroc"] > REFERENCE_FOCAL["auroc"]


def test_focal_model_beats_logistic_regression_on_auprc(real_bundle):
    table = models(real_bundle)

    assert table["focal_loss"]["auprc"] > table["logistic_regression"]["auprc"]
