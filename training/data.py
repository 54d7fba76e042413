"""Load and validate the transactions CSV, or generate the synthetic demo set."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bundle import FEATURE_NAMES, LABEL_NAME, file_sha256

logger = logging.getLogger(__name__)

EXPECTED_COLUMNS = (*FEATURE_NAMES, LABEL_NAME)
EXPECTED_DESCRIPTION = "Time, V1..V28, Amount, Class"
DOWNLOAD_HINT = (
    "download creditcard.csv from Kaggle (mlg-ulb/creditcardfraud) or use --demo"
)


class DataValidationError(ValueError):
    """The CSV cannot be used; the message names the file, the place and the fix."""


@dataclass(frozen=True)
class Transactions:
    """A validated data set: features in ``FEATURE_NAMES`` order plus the label."""

    frame: pd.DataFrame
    source: str
    sha256: str
    synthetic: bool

    @property
    def frauds(self) -> int:
        return int(self.frame[LABEL_NAME].sum())


def load_transactions(
    path: Path, *, ignore_extra_columns: bool = False
) -> Transactions:
    """Read ``path`` and check it is the ULB credit-card data set's layout.

    The file must be comma-separated with exactly the columns Time, V1..V28, Amount
    and Class (any order; extra columns only with ``ignore_extra_columns``), every
    value a finite number, Time and Amount not negative, Class 0 or 1.

    Raises:
        DataValidationError: naming the file, the column or line, and what was
            expected.
    """
    path = Path(path)
    if path.is_dir():
        raise DataValidationError(f"{path} is a directory; give the CSV file itself")
    if not path.is_file():
        raise DataValidationError(f"{path} does not exist; {DOWNLOAD_HINT}")
    if path.stat().st_size == 0:
        raise DataValidationError(f"{path} is empty; expected a CSV with a header row")

    try:
        frame = pd.read_csv(path, low_memory=False)
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{path} has no header row; expected a CSV") from None
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1]
        raise DataValidationError(
            f"{path} is not a well-formed CSV: {detail}"
        ) from None
    except UnicodeDecodeError:
        raise DataValidationError(f"{path} is not a text CSV file") from None

    frame = _check_columns(frame, path, ignore_extra_columns)
    if frame.empty:
        raise DataValidationError(f"{path} has a header but no data rows")
    frame = _check_values(frame, path)

    logger.info(
        "loaded %s: %d rows, %d frauds (%.3f%%)",
        path,
        len(frame),
        frame[LABEL_NAME].sum(),
        100 * frame[LABEL_NAME].mean(),
    )
    return Transactions(frame, path.name, file_sha256(path), synthetic=False)


def _check_columns(
    frame: pd.DataFrame, path: Path, ignore_extra_columns: bool
) -> pd.DataFrame:
    columns = [str(name) for name in frame.columns]
    if len(columns) == 1 and ";" in columns[0]:
        raise DataValidationError(
            f"{path} looks semicolon-separated (header {columns[0][:40]!r}...); "
            f"expected comma-separated columns {EXPECTED_DESCRIPTION}"
        )
    # pandas renames a repeated header "V1" to "V1.1".
    repeated = [name for name in columns if name.rpartition(".")[0] in EXPECTED_COLUMNS]
    if repeated:
        raise DataValidationError(
            f"column {repeated[0].rpartition('.')[0]!r} appears more than once in "
            f"{path} (expected each of {EXPECTED_DESCRIPTION} once)"
        )
    missing = [name for name in EXPECTED_COLUMNS if name not in columns]
    if missing:
        raise DataValidationError(
            f"column {missing[0]!r} is missing from {path} "
            f"(expected {EXPECTED_DESCRIPTION}; found {len(columns)} columns)"
        )
    extra = [name for name in columns if name not in EXPECTED_COLUMNS]
    if extra and not ignore_extra_columns:
        raise DataValidationError(
            f"{path} has unexpected column {extra[0]!r} (expected exactly "
            f"{EXPECTED_DESCRIPTION}); pass --ignore-extra-columns to drop such columns"
        )
    return frame[list(EXPECTED_COLUMNS)]


def _check_values(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    # Line numbers assume one row per line, the header on line 1.
    for name in EXPECTED_COLUMNS:
        raw = frame[name]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(
                f"column {name!r} of {path} holds {_shown(raw.iloc[row])} on line "
                f"{row + 2}; expected a number"
            )
        finite = np.isfinite(values.to_numpy(dtype=float))
        if not finite.all():
            row = int(np.flatnonzero(~finite)[0])
            found = (
                "an empty or NaN value"
                if pd.isna(raw.iloc[row])
                else _shown(raw.iloc[row])
            )
            raise DataValidationError(
                f"column {name!r} of {path} holds {found} on line {row + 2}; "
                "expected a finite number"
            )
        frame = frame.assign(**{name: values.astype(float)})

    for name in ("Time", "Amount"):
        negative = frame[name].to_numpy() < 0
        if negative.any():
            row = int(np.flatnonzero(negative)[0])
            raise DataValidationError(
                f"column {name!r} of {path} holds {frame[name].iloc[row]} on line "
                f"{row + 2}; expected a value >= 0"
            )

    labels = frame[LABEL_NAME].to_numpy()
    not_binary = (labels != 0) & (labels != 1)
    if not_binary.any():
        row = int(np.flatnonzero(not_binary)[0])
        raise DataValidationError(
            f"column {LABEL_NAME!r} of {path} holds {labels[row]:g} on line {row + 2}; "
            "expected 0 (legitimate) or 1 (fraud)"
        )
    return frame.assign(**{LABEL_NAME: labels.astype(np.int8)})


def _shown(value) -> str:
    """A cell as a user would recognise it from the file."""
    return repr(value) if isinstance(value, str) else f"'{float(value):g}'"


def make_demo_transactions(rows: int = 60_000, seed: int = 0) -> Transactions:
    """Generate a SYNTHETIC stand-in for the ULB data set, for a first run.

    Same 31 columns, about 0.2% frauds, made with scikit-learn's
    ``make_classification``: V1..V28 are its features, Time increases over two
    days, Amount is log-normal and somewhat larger for frauds. Nothing learnt from
    it says anything about real card fraud.
    """
    from sklearn.datasets import make_classification

    features, labels = make_classification(
        n_samples=rows,
        n_features=28,
        n_informative=10,
        n_redundant=6,
        weights=[0.998],
        flip_y=0.0005,
        class_sep=1.2,
        random_state=seed,
    )
    generator = np.random.default_rng(seed)
    frame = pd.DataFrame(features, columns=[f"V{i}" for i in range(1, 29)])
    frame.insert(0, "Time", np.sort(generator.uniform(0, 172_792, rows)).round())
    amount = generator.lognormal(mean=3.0 + 0.8 * labels, sigma=1.2)
    frame["Amount"] = amount.round(2)
    frame[LABEL_NAME] = labels.astype(np.int8)

    digest = hashlib.sha256(frame.to_numpy().tobytes()).hexdigest()
    logger.warning(
        "using SYNTHETIC demo data: %d rows, %d frauds; not real transactions",
        rows,
        int(labels.sum()),
    )
    return Transactions(frame, f"synthetic-demo-seed{seed}", digest, synthetic=True)
