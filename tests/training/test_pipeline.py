"""A whole training run on small synthetic data: the bundle is complete, honest
about its data and reproducible."""

import json

import joblib
import numpy as np
import pytest

import bundle
from training.config import FitSettings, TrainingConfig
from training.data import make_demo_transactions
from training.pipeline import run
from training.split import features_and_labels, split_transactions

MODELS = ("focal_loss", "binary_crossentropy", "logistic_regression")


def test_bundle_holds_every_file_and_passes_verification(demo_bundle):
    manifest = bundle.read_manifest(demo_bundle)  # checks files and checksums

    assert manifest.model == "focal_loss"
    assert manifest.features == list(bundle.FEATURE_NAMES)
    assert manifest.data.synthetic and "synthetic" in manifest.data.file
    assert manifest.threshold.rule == "maximum F2 score on validation rows"
    assert 0.0 < manifest.threshold.value < 1.0
    assert manifest.parameters["alpha"] == 0.25 and manifest.parameters["seed"] == 7
    assert {"tensorflow", "keras", "scikit-learn"} <= set(manifest.library_versions)
    for name in bundle.CHECKSUMMED_FILES:
        assert (demo_bundle / name).stat().st_size > 0


def test_evaluation_table_covers_both_models_at_both_thresholds(demo_bundle):
    metrics = json.loads((demo_bundle / bundle.METRICS_FILE).read_text())
    manifest = bundle.read_manifest(demo_bundle)

    assert set(metrics["models"]) == set(MODELS)
    assert metrics["evaluated_on"]["synthetic"] is True
    assert metrics["evaluated_on"]["rows"] == manifest.split.test_rows
    for table in metrics["models"].values():
        assert table["at_0_5"]["threshold"] == 0.5
        counts = table["at_chosen_threshold"]["confusion_matrix"]
        assert sum(counts.values()) == manifest.split.test_rows
        assert counts["tp"] + counts["fn"] == manifest.split.test_frauds
        assert 0.0 <= table["auprc"] <= 1.0 and 0.0 <= table["auroc"] <= 1.0
    focal = metrics["models"]["focal_loss"]
    assert focal["at_chosen_threshold"]["threshold"] == manifest.threshold.value


def test_scaler_was_fitted_on_training_rows_only(demo_bundle):
    manifest = bundle.read_manifest(demo_bundle)
    scaler = joblib.load(demo_bundle / bundle.SCALER_FILE)
    frame = make_demo_transactions(manifest.data.rows, seed=7).frame
    split = split_transactions(frame, "stratified", seed=7)

    train_x, _ = features_and_labels(split.train)
    all_x, _ = features_and_labels(frame)

    np.testing.assert_allclose(scaler.mean_, train_x.mean(axis=0), rtol=1e-5)
    assert scaler.n_samples_seen_ == manifest.split.train_rows
    assert not np.allclose(scaler.mean_, all_x.mean(axis=0), rtol=1e-5)


def test_same_seed_gives_the_same_table(tmp_path):
    tables = []
    for attempt in ("first", "second"):
        config = TrainingConfig(
            out=tmp_path / attempt,
            demo_rows=20_000,
            seed=11,
            fit=FitSettings(epochs=2, patience=2),
        )
        run(config)
        models = json.loads((tmp_path / attempt / bundle.METRICS_FILE).read_text())
        tables.append(models["models"])

    for name in MODELS:
        first, second = tables[0][name], tables[1][name]
        for key in ("auroc", "auprc"):
            assert round(first[key], 3) == round(second[key], 3), (name, key)
        chosen, again = first["at_chosen_threshold"], second["at_chosen_threshold"]
        assert chosen.pop("confusion_matrix") == again.pop("confusion_matrix"), name
        assert chosen == pytest.approx(again, abs=1e-3), name


def test_failure_while_writing_keeps_the_previous_bundle(
    demo_bundle, tmp_path, monkeypatch
):
    import shutil

    out = tmp_path / "bundle"
    shutil.copytree(demo_bundle, out)
    before = bundle.read_manifest(out).version_id

    def broken_plot(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("training.pipeline.write_curves", broken_plot)
    with pytest.raises(OSError, match="No space"):
        run(TrainingConfig(out=out, demo_rows=20_000, fit=FitSettings(epochs=1)))

    assert bundle.read_manifest(out).version_id == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
