"""Evaluation metrics and the threshold rule, on examples small enough to count."""

import numpy as np
import pytest

from training.evaluate import choose_threshold, evaluate_model, metrics_at

LABELS = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
PROBABILITIES = np.array([0.9, 0.8, 0.4, 0.1, 0.7, 0.3, 0.2, 0.1, 0.05, 0.0])


def test_metrics_at_a_threshold_count_the_confusion_matrix():
    # At 0.5: frauds 0.9, 0.8 caught, 0.4, 0.1 missed; legitimate 0.7 flagged.
    metrics = metrics_at(LABELS, PROBABILITIES, 0.5)

    assert metrics["confusion_matrix"] == {"tn": 5, "fp": 1, "fn": 2, "tp": 2}
    assert metrics["recall"] == 0.5
    assert metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["f1"] == pytest.approx(4 / 7)
    assert metrics["false_positive_rate"] == pytest.approx(1 / 6)
    assert metrics["alerts_per_100k"] == pytest.approx(30_000)


def test_threshold_is_inclusive_and_zero_flags_everything():
    assert metrics_at(LABELS, PROBABILITIES, 0.4)["confusion_matrix"]["tp"] == 3
    assert metrics_at(LABELS, PROBABILITIES, 0.0)["confusion_matrix"] == {
        "tn": 0,
        "fp": 6,
        "fn": 0,
        "tp": 4,
    }


def test_precision_is_zero_when_nothing_is_flagged():
    assert metrics_at(LABELS, PROBABILITIES, 0.95)["precision"] == 0.0


def test_f2_threshold_prefers_recall():
    # Candidates (threshold: precision, recall, F2): 0.8: 1, .5, .556;
    # 0.4: .75, .75, .75; 0.1: .571, 1, .870; 0.7: .667, .5, .526.
    assert choose_threshold(LABELS, PROBABILITIES, beta=2.0) == 0.1


def test_f_half_threshold_prefers_precision():
    # F0.5 at 0.8: 1.25 * .5 / (.25 + .5) = .833, the best.
    assert choose_threshold(LABELS, PROBABILITIES, beta=0.5) == 0.8


def test_evaluation_table_has_both_operating_points_and_the_listing():
    table = evaluate_model(LABELS, PROBABILITIES, chosen_threshold=0.4)

    # Of 24 fraud/legitimate pairs, 0.9 and 0.8 outrank all 6, 0.4 outranks 5, 0.1
    # outranks 2 and ties 1 (counted half): 19.5 / 24.
    assert table["auroc"] == pytest.approx(19.5 / 24)
    assert table["at_chosen_threshold"]["threshold"] == 0.4
    assert table["at_0_5"]["threshold"] == 0.5
    thresholds = [point["threshold"] for point in table["operating_points"]]
    assert thresholds == sorted(thresholds) and 0.4 in thresholds
    recalls = [point["recall"] for point in table["operating_points"]]
    assert recalls == sorted(recalls, reverse=True)


@pytest.mark.parametrize(
    ("labels", "probabilities", "message"),
    [
        (np.array([0, 0]), np.array([0.1, 0.2]), "both frauds"),
        (np.array([0, 2]), np.array([0.1, 0.2]), "0 .* or 1"),
        (np.array([0, 1]), np.array([0.1]), "one length"),
    ],
)
def test_bad_scores_are_refused(labels, probabilities, message):
    with pytest.raises(ValueError, match=message):
        metrics_at(labels, probabilities, 0.5)
