"""Divide transactions into training, validation and test rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from bundle import FEATURE_NAMES, LABEL_NAME, SplitSummary
from training.config import SplitMethod

logger = logging.getLogger(__name__)

# Fewer frauds than this in any part makes its metrics meaningless.
MIN_FRAUDS_PER_PART = 5


class SplitError(ValueError):
    """A part of the split would hold too few frauds to learn or measure anything."""


@dataclass(frozen=True)
class Split:
    """Row sets for fitting (train), model choices (validation) and the final table
    (test). Each frame holds ``FEATURE_NAMES`` then ``LABEL_NAME``."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame

    def summary(
        self,
        method: SplitMethod,
        seed: int,
        test_fraction: float,
        validation_fraction: float,
    ) -> SplitSummary:
        return SplitSummary(
            method=method,
            seed=seed,
            test_fraction=test_fraction,
            validation_fraction=validation_fraction,
            **{
                f"{part}_{count}": value
                for part, frame in self._parts().items()
                for count, value in (
                    ("rows", len(frame)),
                    ("frauds", int(frame[LABEL_NAME].sum())),
                )
            },
        )

    def _parts(self) -> dict[str, pd.DataFrame]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


def split_transactions(
    frame: pd.DataFrame,
    method: SplitMethod = "stratified",
    *,
    test_fraction: float = 0.3,
    validation_fraction: float = 0.2,
    seed: int = 42,
) -> Split:
    """Split ``frame`` into train, validation and test rows.

    ``stratified`` draws ``test_fraction`` of the rows at random with the fraud rate
    kept (the reference protocol), then ``validation_fraction`` of the rest the same
    way. ``time`` orders rows by Time and keeps the latest ``test_fraction`` for
    test and the latest ``validation_fraction`` of the rest for validation, so the
    model is judged on transactions later than any it learnt from.

    Raises:
        ValueError: a fraction outside (0, 1) or an unknown method.
        SplitError: a part would hold fewer than ``MIN_FRAUDS_PER_PART`` frauds.
    """
    for name, fraction in (
        ("test_fraction", test_fraction),
        ("validation_fraction", validation_fraction),
    ):
        if not 0.0 < fraction < 1.0:
            raise ValueError(
                f"{name} must be between 0 and 1 (exclusive), got {fraction}"
            )

    if method == "stratified":
        rest, test = _stratified(frame, test_fraction, seed)
        train, validation = _stratified(rest, validation_fraction, seed)
    elif method == "time":
        rest, test = _latest(frame, test_fraction)
        train, validation = _latest(rest, validation_fraction)
    else:
        raise ValueError(f"split method must be 'stratified' or 'time', got {method!r}")

    split = Split(train, validation, test)
    for part, rows in split._parts().items():
        frauds = int(rows[LABEL_NAME].sum())
        if frauds < MIN_FRAUDS_PER_PART:
            raise SplitError(
                f"the {part} part of the {method} split holds {frauds} frauds in "
                f"{len(rows)} rows; at least {MIN_FRAUDS_PER_PART} are needed "
                "(use a larger data set or change --test-fraction or "
                "--validation-fraction)"
            )
        logger.info("%s rows: %d, frauds: %d", part, len(rows), frauds)
    return split


def _stratified(
    frame: pd.DataFrame, fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    labels = frame[LABEL_NAME]
    if labels.sum() < 2:
        raise SplitError(f"{int(labels.sum())} frauds cannot be split in two parts")
    kept, held = train_test_split(
        frame, test_size=fraction, stratify=labels, random_state=seed
    )
    return kept, held


def _latest(frame: pd.DataFrame, fraction: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    ordered = frame.sort_values("Time", kind="stable")
    cut = len(ordered) - round(fraction * len(ordered))
    return ordered.iloc[:cut], ordered.iloc[cut:]


def features_and_labels(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the feature matrix (``FEATURE_NAMES`` order, float32) and labels."""
    features = frame[list(FEATURE_NAMES)].to_numpy(dtype=np.float32)
    return features, frame[LABEL_NAME].to_numpy(dtype=np.float32)
