"""The artifact bundle: the one format that training writes and the service reads.

A bundle is a directory holding

- ``model.keras``: the focal-loss network, taking *scaled* features in
  ``FEATURE_NAMES`` order and returning the fraud probability;
- ``scaler.joblib``: the scikit-learn ``StandardScaler`` fitted on training rows;
- ``metrics.json``: the evaluation table (see ``training.evaluate``);
- ``manifest.json``: a ``Manifest``: where the data came from, how it was split,
  every parameter, library versions, the default threshold and the SHA-256 of each
  file above;
- ``pr_curve.png`` and ``roc_curve.png``: curves for a human reader.

Everything either side needs to agree on lives here and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT_VERSION = 1

FEATURE_NAMES: tuple[str, ...] = ("Time", *(f"V{i}" for i in range(1, 29)), "Amount")
LABEL_NAME = "Class"

MODEL_FILE = "model.keras"
SCALER_FILE = "scaler.joblib"
METRICS_FILE = "metrics.json"
MANIFEST_FILE = "manifest.json"
PR_CURVE_FILE = "pr_curve.png"
ROC_CURVE_FILE = "roc_curve.png"

# Files whose checksums the manifest records; the manifest cannot hold its own.
CHECKSUMMED_FILES = (
    MODEL_FILE,
    SCALER_FILE,
    METRICS_FILE,
    PR_CURVE_FILE,
    ROC_CURVE_FILE,
)


class BundleError(Exception):
    """The bundle is missing, incomplete, corrupted or for other features."""


class DataSummary(BaseModel):
    """The CSV the model was trained on."""

    file: str = Field(description="File name of the training CSV (no directories).")
    sha256: str
    rows: int
    frauds: int
    synthetic: bool = Field(description="True for the generated demo data set.")


class SplitSummary(BaseModel):
    """How rows were divided; the test rows fed only the evaluation table."""

    method: Literal["stratified", "time"]
    seed: int
    test_fraction: float
    validation_fraction: float
    train_rows: int
    train_frauds: int
    validation_rows: int
    validation_frauds: int
    test_rows: int
    test_frauds: int


class ThresholdChoice(BaseModel):
    """The default decision threshold and the rule that chose it."""

    value: float = Field(ge=0.0, le=1.0)
    rule: str


class Manifest(BaseModel):
    """What a bundle is: provenance, parameters and the default operating point."""

    model_config = ConfigDict(extra="forbid")

    format_version: int
    version_id: str
    created_at: datetime
    model: str = Field(description="Which trained model the bundle serves.")
    features: list[str]
    threshold: ThresholdChoice
    data: DataSummary
    split: SplitSummary
    parameters: dict[str, Any]
    library_versions: dict[str, str]
    training_seconds: float
    files: dict[str, str] = Field(description="SHA-256 of every other bundle file.")


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path) -> Manifest:
    """Read and verify the bundle in ``directory``; return its manifest.

    Checks that every file is present, that the manifest parses and is of this
    format version, that the bundle was written for ``FEATURE_NAMES`` and that each
    file's SHA-256 matches the manifest.

    Raises:
        BundleError: with a message naming the file at fault and what to do.
    """
    directory = Path(directory)
    retrain = (
        "run `python -m training` to write a bundle, or point ARTIFACTS_DIR at one"
    )
    if not directory.is_dir():
        problem = "is not a directory" if directory.exists() else "does not exist"
        raise BundleError(f"bundle directory {directory} {problem}; {retrain}")

    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise BundleError(f"{manifest_path} is missing; {retrain}")
    try:
        manifest = Manifest.model_validate(json.loads(manifest_path.read_bytes()))
    except (ValueError, ValidationError) as error:
        first = str(error).splitlines()[0]
        raise BundleError(
            f"{manifest_path} is not a valid manifest ({first}); {retrain}"
        ) from None

    if manifest.format_version != FORMAT_VERSION:
        raise BundleError(
            f"{manifest_path} has format version {manifest.format_version}, this code "
            f"reads version {FORMAT_VERSION}; {retrain}"
        )
    if tuple(manifest.features) != FEATURE_NAMES:
        raise BundleError(
            f"{manifest_path} was written for features {manifest.features}, expected "
            f"{list(FEATURE_NAMES)}; {retrain}"
        )

    for name in CHECKSUMMED_FILES:
        path = directory / name
        if not path.is_file():
            raise BundleError(f"{path} is missing: the bundle is incomplete; {retrain}")
        if name not in manifest.files:
            raise BundleError(
                f"{manifest_path} records no checksum for {name}; {retrain}"
            )
        if file_sha256(path) != manifest.files[name]:
            raise BundleError(
                f"{path} does not match the checksum in {manifest_path}: the file was "
                f"changed or corrupted; {retrain}"
            )
    return manifest
