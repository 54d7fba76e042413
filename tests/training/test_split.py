"""Splitting: parts are disjoint, stratified parts keep the fraud rate, time parts
keep the order, and a part without enough frauds is refused."""

import numpy as np
import pandas as pd
import pytest

from bundle import FEATURE_NAMES
from training.split import SplitError, split_transactions


def transactions(rows: int = 2_000, fraud_every: int = 20) -> pd.DataFrame:
    generator = np.random.default_rng(1)
    frame = pd.DataFrame(generator.normal(size=(rows, 30)), columns=list(FEATURE_NAMES))
    frame["Time"] = generator.permutation(rows).astype(float)  # file order is not time
    frame["Class"] = (np.arange(rows) % fraud_every == 0).astype(np.int8)
    return frame


@pytest.mark.parametrize("method", ["stratified", "time"])
def test_parts_are_disjoint_and_cover_every_row(method):
    frame = transactions()

    split = split_transactions(frame, method, seed=3)

    indexes = [set(part.index) for part in (split.train, split.validation, split.test)]
    assert sum(len(index) for index in indexes) == len(frame)
    assert set.union(*indexes) == set(frame.index)
    assert not (
        indexes[0] & indexes[2] or indexes[1] & indexes[2] or indexes[0] & indexes[1]
    )


def test_stratified_split_keeps_sizes_and_fraud_rate():
    split = split_transactions(
        transactions(), "stratified", test_fraction=0.3, validation_fraction=0.2, seed=3
    )

    assert len(split.test) == 600 and split.test["Class"].sum() == 30
    assert len(split.validation) == 280 and split.validation["Class"].sum() == 14
    assert len(split.train) == 1120 and split.train["Class"].sum() == 56


def test_stratified_split_is_fixed_by_its_seed():
    frame = transactions()

    first, again = (split_transactions(frame, seed=5) for _ in range(2))
    other = split_transactions(frame, seed=6)

    assert list(first.test.index) == list(again.test.index)
    assert list(first.test.index) != list(other.test.index)


def test_time_split_tests_on_the_latest_transactions():
    split = split_transactions(
        transactions(), "time", test_fraction=0.3, validation_fraction=0.2
    )

    assert split.train["Time"].max() < split.validation["Time"].min()
    assert split.validation["Time"].max() < split.test["Time"].min()
    assert split.test["Time"].min() == 1400.0  # the latest 600 of Time 0..1999


def test_too_few_frauds_in_a_part_is_refused_with_the_part_named():
    frame = transactions(rows=2_000, fraud_every=250)  # 8 frauds in all

    with pytest.raises(
        SplitError, match=r"the (validation|test) part .* holds \d frauds"
    ):
        split_transactions(frame, "stratified")


def test_summary_counts_each_part():
    split = split_transactions(transactions(), "stratified", seed=3)

    summary = split.summary("stratified", 3, 0.3, 0.2)

    assert (summary.train_rows, summary.validation_rows, summary.test_rows) == (
        1120,
        280,
        600,
    )
    assert (summary.train_frauds, summary.test_frauds) == (56, 30)
