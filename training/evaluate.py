"""Score a model's fraud probabilities against labels: the evaluation table."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
)

# Thresholds listed in the operating-points table, besides the chosen one.
OPERATING_THRESHOLDS = (
    0.01,
    0.02,
    0.05,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    0.95,
    0.99,
)


def _check_scores(labels: np.ndarray, probabilities: np.ndarray) -> None:
    if labels.shape != probabilities.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and probabilities must be 1-D of one length, got shapes "
            f"{labels.shape} and {probabilities.shape}"
        )
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 (legitimate) or 1 (fraud)")
    if labels.min() == labels.max():
        raise ValueError("labels must hold both frauds and legitimate transactions")


def metrics_at(labels: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict:
    """Classification metrics when transactions with probability >= ``threshold``
    are flagged: recall, precision, F1, false-positive rate and the confusion
    matrix. Precision is 0 when nothing is flagged."""
    _check_scores(labels, probabilities)
    flagged = probabilities >= threshold
    tn, fp, fn, tp = (
        int(count) for count in confusion_matrix(labels, flagged, labels=[0, 1]).ravel()
    )
    recall = tp / (tp + fn)
    precision = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": float(threshold),
        "recall": recall,
        "precision": precision,
        "f1": f1,
        "false_positive_rate": fp / (fp + tn),
        "alerts_per_100k": 1e5 * (tp + fp) / len(labels),
        "confusion_matrix": {"tn": tn, "fp": fp, "fn": fn, "tp": tp},
    }


def evaluate_model(
    labels: np.ndarray, probabilities: np.ndarray, chosen_threshold: float
) -> dict:
    """The evaluation table of one model: threshold-free AUROC and AUPRC (average
    precision), metrics at ``chosen_threshold`` and at 0.5, and the operating
    points a service user picks a threshold from."""
    _check_scores(labels, probabilities)
    thresholds = sorted({*OPERATING_THRESHOLDS, round(chosen_threshold, 6)})
    return {
        "auroc": float(roc_auc_score(labels, probabilities)),
        "auprc": float(average_precision_score(labels, probabilities)),
        "at_chosen_threshold": metrics_at(labels, probabilities, chosen_threshold),
        "at_0_5": metrics_at(labels, probabilities, 0.5),
        "operating_points": [
            {
                key: value
                for key, value in metrics_at(labels, probabilities, t).items()
                if key != "confusion_matrix"
            }
            for t in thresholds
        ],
    }


def choose_threshold(
    labels: np.ndarray, probabilities: np.ndarray, beta: float = 2.0
) -> float:
    """The threshold that maximises F-beta on these (validation) rows.

    F-beta weighs recall beta times as much as precision; beta = 2 favours catching
    frauds over avoiding false alarms. Among equally good thresholds the highest
    is taken (fewest alerts).

    Raises:
        ValueError: bad labels or probabilities, or beta <= 0.
    """
    _check_scores(labels, probabilities)
    if beta <= 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    precision, recall, thresholds = precision_recall_curve(labels, probabilities)
    # The last precision/recall pair has no threshold (nothing flagged).
    precision, recall = precision[:-1], recall[:-1]
    denominator = beta**2 * precision + recall
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(
            denominator > 0, (1 + beta**2) * precision * recall / denominator, 0.0
        )
    best = np.flatnonzero(scores == scores.max()).max()
    return float(thresholds[best])
