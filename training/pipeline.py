"""The whole training run, step by step: data → split → scaler → models →
evaluation → artifact bundle."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from dataclasses import asdict
from datetime import datetime, timezone

import joblib
import keras
import numpy as np
import sklearn
import tensorflow as tf
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bundle import (
    FEATURE_NAMES,
    FORMAT_VERSION,
    METRICS_FILE,
    MODEL_FILE,
    PR_CURVE_FILE,
    ROC_CURVE_FILE,
    SCALER_FILE,
    DataSummary,
    Manifest,
    ThresholdChoice,
)
from training.artifacts import (
    check_output_path,
    checksums,
    staged_bundle,
    write_json,
    write_manifest,
)
from training.config import TrainingConfig
from training.data import load_transactions, make_demo_transactions
from training.evaluate import choose_threshold, evaluate_model
from training.fit import fit_model
from training.model import FocalLoss, build_mlp
from training.plots import write_curves
from training.split import SplitError, features_and_labels, split_transactions

logger = logging.getLogger(__name__)

SERVED_MODEL = "focal_loss"


def run(config: TrainingConfig) -> Manifest:
    """Train, evaluate and write the bundle to ``config.out``; return its manifest.

    Raises:
        training.data.DataValidationError, training.split.SplitError,
        training.artifacts.BundleOutputError: the input cannot be used; nothing
            was written.
    """
    started = time.perf_counter()
    check_output_path(config.out)
    FocalLoss(config.alpha, config.gamma)  # checks alpha and gamma before any work
    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()

    transactions = (
        make_demo_transactions(config.demo_rows, config.seed)
        if config.data is None
        else load_transactions(
            config.data, ignore_extra_columns=config.ignore_extra_columns
        )
    )
    try:
        split = split_transactions(
            transactions.frame,
            config.split,
            test_fraction=config.test_fraction,
            validation_fraction=config.validation_fraction,
            seed=config.seed,
        )
    except SplitError as error:
        raise SplitError(f"{transactions.source}: {error}") from None
    train_x, train_y = features_and_labels(split.train)
    validation_x, validation_y = features_and_labels(split.validation)
    test_x, test_y = features_and_labels(split.test)

    scaler = StandardScaler().fit(train_x)
    train_x, validation_x, test_x = (
        scaler.transform(x).astype(np.float32) for x in (train_x, validation_x, test_x)
    )

    models = {
        "focal_loss": FocalLoss(config.alpha, config.gamma),
        "binary_crossentropy": keras.losses.BinaryCrossentropy(),
    }
    networks, results, test_scores = {}, {}, {}
    for name, loss in models.items():
        network = build_mlp(
            len(FEATURE_NAMES), config.prior, seed=config.seed, l2=config.l2
        )
        report = fit_model(
            network,
            loss,
            (train_x, train_y),
            (validation_x, validation_y),
            config.fit,
            label=name,
        )
        networks[name] = network
        test_scores[name] = network.predict(test_x, batch_size=8192, verbose=0).ravel()
        results[name] = _evaluate(
            network.predict(validation_x, batch_size=8192, verbose=0).ravel(),
            test_scores[name],
            validation_y,
            test_y,
            config.threshold_beta,
        ) | {"training": asdict(report)}

    baseline = LogisticRegression(max_iter=2000).fit(train_x, train_y)
    test_scores["logistic_regression"] = baseline.predict_proba(test_x)[:, 1]
    results["logistic_regression"] = _evaluate(
        baseline.predict_proba(validation_x)[:, 1],
        test_scores["logistic_regression"],
        validation_y,
        test_y,
        config.threshold_beta,
    )

    manifest = _write_bundle(
        config,
        transactions,
        split,
        scaler,
        networks[SERVED_MODEL],
        results,
        (test_y, test_scores),
        started,
    )
    print(format_table(results, transactions.synthetic))
    return manifest


def _evaluate(validation_p, test_p, validation_y, test_y, beta) -> dict:
    threshold = choose_threshold(validation_y, validation_p, beta)
    return evaluate_model(test_y, test_p, threshold)


def _write_bundle(
    config, transactions, split, scaler, network, results, test_scores, started
) -> Manifest:
    """Write every bundle file into a staging directory, the manifest last, and
    move it into place. ``test_scores`` is (test labels, {model: probabilities})
    for the curves."""
    test_y, probabilities = test_scores
    created = datetime.now(timezone.utc).replace(microsecond=0)
    fingerprint = hashlib.sha256(
        (
            transactions.sha256
            + json.dumps(config.parameters(), sort_keys=True, default=str)
        ).encode()
    ).hexdigest()[:8]
    version_id = f"{created:%Y%m%dT%H%M%SZ}-{fingerprint}"
    threshold = results[SERVED_MODEL]["at_chosen_threshold"]["threshold"]
    data_label = (
        "SYNTHETIC demo data" if transactions.synthetic else transactions.source
    )

    with staged_bundle(config.out) as staging:
        network.save(staging / MODEL_FILE)
        joblib.dump(scaler, staging / SCALER_FILE)
        write_curves(
            test_y,
            probabilities,
            staging / PR_CURVE_FILE,
            staging / ROC_CURVE_FILE,
            subtitle=f"{data_label}, {config.split} split, version {version_id}",
        )
        write_json(
            staging / METRICS_FILE,
            {
                "version_id": version_id,
                "evaluated_on": {
                    "part": "test",
                    "rows": len(test_y),
                    "frauds": int(test_y.sum()),
                    "data": transactions.source,
                    "synthetic": transactions.synthetic,
                    "split": config.split,
                },
                "threshold_rule": _threshold_rule(config.threshold_beta),
                "models": results,
            },
        )
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            version_id=version_id,
            created_at=created,
            model=SERVED_MODEL,
            features=list(FEATURE_NAMES),
            threshold=ThresholdChoice(
                value=threshold, rule=_threshold_rule(config.threshold_beta)
            ),
            data=DataSummary(
                file=transactions.source,
                sha256=transactions.sha256,
                rows=len(transactions.frame),
                frauds=transactions.frauds,
                synthetic=transactions.synthetic,
            ),
            split=split.summary(
                config.split,
                config.seed,
                config.test_fraction,
                config.validation_fraction,
            ),
            parameters=json.loads(json.dumps(config.parameters(), default=str)),
            library_versions=_library_versions(),
            training_seconds=round(time.perf_counter() - started, 1),
            files=checksums(staging),
        )
        write_manifest(staging, manifest)
    return manifest


def _threshold_rule(beta: float) -> str:
    return f"maximum F{beta:g} score on validation rows"


def _library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
    }


def format_table(results: dict, synthetic: bool) -> str:
    """The evaluation table as aligned text, one row per model and threshold."""
    header = (
        f"{'model':<22}{'threshold':>10}{'recall':>8}{'precision':>10}{'F1':>7}"
        f"{'AUROC':>8}{'AUPRC':>8}{'TN':>8}{'FP':>6}{'FN':>5}{'TP':>5}"
    )
    lines = [
        "Evaluation on test rows" + (" (SYNTHETIC demo data)" if synthetic else ""),
        header,
        "-" * len(header),
    ]
    for name, table in results.items():
        for point in (table["at_chosen_threshold"], table["at_0_5"]):
            counts = point["confusion_matrix"]
            lines.append(
                f"{name:<22}{point['threshold']:>10.4f}{point['recall']:>8.4f}"
                f"{point['precision']:>10.4f}{point['f1']:>7.4f}{table['auroc']:>8.4f}"
                f"{table['auprc']:>8.4f}{counts['tn']:>8}{counts['fp']:>6}"
                f"{counts['fn']:>5}{counts['tp']:>5}"
            )
    return "\n".join(lines)
