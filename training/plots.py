"""Precision-recall and ROC curves of the trained models, as PNG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve


def write_curves(
    labels: np.ndarray,
    probabilities: dict[str, np.ndarray],
    pr_path: Path,
    roc_path: Path,
    subtitle: str,
) -> None:
    """Draw each model's precision-recall curve to ``pr_path`` and ROC curve to
    ``roc_path``; ``subtitle`` names the data (and says when it is synthetic)."""
    figure, axes = plt.subplots(figsize=(6, 5))
    for name, scores in probabilities.items():
        precision, recall, _ = precision_recall_curve(labels, scores)
        axes.step(recall, precision, where="post", label=name)
    axes.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
    axes.set_title(f"Precision-recall on test rows\n{subtitle}", fontsize=10)
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(pr_path, dpi=100)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(6, 5))
    for name, scores in probabilities.items():
        false_positive_rate, true_positive_rate, _ = roc_curve(labels, scores)
        axes.plot(false_positive_rate, true_positive_rate, label=name)
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
    axes.set(xlabel="false-positive rate", ylabel="recall (true-positive rate)")
    axes.set_title(f"ROC on test rows\n{subtitle}", fontsize=10)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(roc_path, dpi=100)
    plt.close(figure)
