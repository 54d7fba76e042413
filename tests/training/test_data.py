"""Loading and validating the transactions CSV: every bad file gets one clear line."""

import numpy as np
import pandas as pd
import pytest

from bundle import FEATURE_NAMES
from training.__main__ import main
from training.data import DataValidationError, load_transactions, make_demo_transactions

COLUMNS = [*FEATURE_NAMES, "Class"]


def valid_frame(rows: int = 6) -> pd.DataFrame:
    generator = np.random.default_rng(0)
    frame = pd.DataFrame(generator.normal(size=(rows, len(COLUMNS))), columns=COLUMNS)
    frame["Time"] = np.arange(rows, dtype=float)
    frame["Amount"] = np.linspace(1.0, 100.0, rows)
    frame["Class"] = [1, 0] * (rows // 2)
    return frame


def write(tmp_path, text: str, name: str = "transactions.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_file_loads_with_columns_in_feature_order(tmp_path):
    shuffled = valid_frame()[list(reversed(COLUMNS))]
    path = write(tmp_path, shuffled.to_csv(index=False))

    transactions = load_transactions(path)

    assert list(transactions.frame.columns) == COLUMNS
    assert transactions.frauds == 3
    assert len(transactions.sha256) == 64 and not transactions.synthetic


def test_extra_column_is_refused_unless_asked_to_ignore(tmp_path):
    path = write(tmp_path, valid_frame().assign(merchant=1.0).to_csv(index=False))

    with pytest.raises(DataValidationError, match="unexpected column 'merchant'"):
        load_transactions(path)
    assert (
        list(load_transactions(path, ignore_extra_columns=True).frame.columns)
        == COLUMNS
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda f: f.drop(columns="V17"),
            r"column 'V17' is missing from .*transactions",
        ),
        (
            lambda f: f.assign(V3=f["V3"].astype(object).where(f.index != 3, "abc")),
            r"column 'V3' of .* holds 'abc' on line 5; expected a number",
        ),
        (
            lambda f: f.assign(V9=f["V9"].where(f.index != 2)),
            r"column 'V9' of .* holds an empty or NaN value on line 4",
        ),
        (
            lambda f: f.assign(V1=f["V1"].where(f.index != 1, np.inf)),
            r"column 'V1' of .* holds 'inf' on line 3; expected a finite number",
        ),
        (
            lambda f: f.assign(Class=f["Class"].where(f.index != 4, 2)),
            r"column 'Class' of .* holds 2 on line 6; expected 0 \(legitimate\) or 1",
        ),
        (
            lambda f: f.assign(Amount=f["Amount"].where(f.index != 0, -5.0)),
            r"column 'Amount' of .* holds -5.0 on line 2; expected a value >= 0",
        ),
    ],
    ids=[
        "missing-column",
        "stray-text",
        "empty-cell",
        "infinity",
        "bad-class",
        "negative-amount",
    ],
)
def test_bad_values_name_the_column_and_line(tmp_path, edit, message):
    path = write(tmp_path, edit(valid_frame()).to_csv(index=False))

    with pytest.raises(DataValidationError, match=message):
        load_transactions(path)


def test_missing_file_says_where_to_get_the_data(tmp_path):
    with pytest.raises(DataValidationError, match=r"does not exist.*Kaggle.*--demo"):
        load_transactions(tmp_path / "creditcard.csv")


def test_empty_file_is_refused(tmp_path):
    with pytest.raises(DataValidationError, match="is empty"):
        load_transactions(write(tmp_path, ""))


def test_header_only_file_is_refused(tmp_path):
    with pytest.raises(DataValidationError, match="header but no data rows"):
        load_transactions(write(tmp_path, ",".join(COLUMNS) + "\n"))


def test_semicolon_separated_file_is_recognised(tmp_path):
    path = write(tmp_path, valid_frame().to_csv(index=False, sep=";"))

    with pytest.raises(DataValidationError, match="semicolon-separated"):
        load_transactions(path)


def test_ragged_rows_are_reported_not_raised_as_a_parser_traceback(tmp_path):
    text = valid_frame().to_csv(index=False) + "1,2,3\n" + "1," * 40 + "1\n"

    with pytest.raises(DataValidationError, match="not a well-formed CSV"):
        load_transactions(write(tmp_path, text))


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "transactions.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 100)

    with pytest.raises(DataValidationError):
        load_transactions(path)


def test_command_exits_2_with_one_line_naming_the_file(tmp_path, capsys, caplog):
    path = write(tmp_path, valid_frame().to_csv(index=False, sep=";"))

    status = main(["--data", str(path), "--out", str(tmp_path / "bundle")])

    assert status == 2
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and str(path) in errors[0]
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "bundle").exists()


def test_demo_data_is_labelled_synthetic_and_rare_fraud():
    transactions = make_demo_transactions(rows=20_000, seed=3)

    assert transactions.synthetic and "synthetic" in transactions.source
    assert list(transactions.frame.columns) == COLUMNS
    assert 0.001 < transactions.frauds / 20_000 < 0.004
    assert (transactions.frame["Amount"] >= 0).all()
    assert transactions.frame["Time"].is_monotonic_increasing


def test_a_repeated_column_is_named_as_itself(tmp_path):
    frame = valid_frame()
    text = frame.to_csv(index=False).replace("V2,", "V1,", 1)

    with pytest.raises(DataValidationError, match="column 'V1' appears more than once"):
        load_transactions(write(tmp_path, text))


def test_a_directory_is_not_taken_for_the_csv(tmp_path):
    with pytest.raises(DataValidationError, match="is a directory"):
        load_transactions(tmp_path)


def test_too_few_frauds_to_split_names_the_file(tmp_path):
    from training.config import TrainingConfig
    from training.pipeline import run
    from training.split import SplitError

    frame = pd.concat([valid_frame(40)] * 5, ignore_index=True)
    frame["Class"] = 0
    frame.loc[:3, "Class"] = 1  # 4 frauds: too few for every part to hold 5
    path = write(tmp_path, frame.to_csv(index=False))

    with pytest.raises(SplitError, match=r"transactions\.csv: the .* part"):
        run(TrainingConfig(data=path, out=tmp_path / "bundle"))
    assert not (tmp_path / "bundle").exists()
