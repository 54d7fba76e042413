"""Start-up refuses a bundle it cannot serve, early and in one line."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bundle import MANIFEST_FILE, MODEL_FILE, SCALER_FILE, BundleError
from service.app import create_app
from service.settings import Settings
from tests.service.bundles import identity_scaler, write_bundle

REPO_ROOT = Path(__file__).resolve().parents[2]


def start(directory: Path) -> None:
    with TestClient(create_app(Settings(artifacts_dir=directory))):
        pass


@pytest.fixture
def bundle_copy(linear_bundle, tmp_path) -> Path:
    return Path(shutil.copytree(linear_bundle, tmp_path / "bundle"))


def test_a_missing_bundle_directory_stops_start_up(tmp_path):
    with pytest.raises(BundleError, match=r"does not exist.*python -m training"):
        start(tmp_path / "nowhere")


def test_a_bundle_missing_a_file_stops_start_up_naming_the_file(bundle_copy):
    (bundle_copy / SCALER_FILE).unlink()

    with pytest.raises(BundleError, match=rf"{SCALER_FILE} is missing"):
        start(bundle_copy)


def test_a_corrupted_file_stops_start_up_naming_the_file(bundle_copy):
    with open(bundle_copy / MODEL_FILE, "ab") as model_file:
        model_file.write(b"\0")

    with pytest.raises(BundleError, match=rf"{MODEL_FILE} does not match the checksum"):
        start(bundle_copy)


def test_a_bundle_for_other_features_stops_start_up(bundle_copy):
    manifest_path = bundle_copy / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    manifest["features"] = [*manifest["features"][:-1], "AmountEUR"]
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(BundleError, match="written for features"):
        start(bundle_copy)


def unsupported_model(kind: str):
    import keras

    inputs = keras.Input((30,))
    if kind == "batch-normalization":
        hidden = keras.layers.BatchNormalization()(inputs)
    elif kind == "tanh":
        hidden = keras.layers.Dense(8, activation="tanh")(inputs)
    elif kind == "shared-layer":
        # One layer applied twice: model.layers lists it once, so the layers look
        # like a chain of Dense layers but do not compute one.
        shared = keras.layers.Dense(30, activation="relu")
        hidden = shared(shared(inputs))
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("batch-normalization", "type BatchNormalization"),
        ("tanh", "activation 'tanh'"),
        ("shared-layer", "differs from model.predict"),
    ],
)
def test_a_model_the_fast_path_cannot_score_stops_start_up(tmp_path, kind, message):
    directory = write_bundle(
        tmp_path / kind, unsupported_model(kind), identity_scaler()
    )

    with pytest.raises(BundleError, match=message):
        start(directory)


def test_a_scaler_for_other_features_stops_start_up(tmp_path):
    from sklearn.preprocessing import StandardScaler

    from tests.service.bundles import linear_model

    scaler = StandardScaler().fit([[0.0] * 29, [1.0] * 29])
    directory = write_bundle(tmp_path / "bundle", linear_model(), scaler)

    with pytest.raises(BundleError, match=rf"{SCALER_FILE} is not a StandardScaler"):
        start(directory)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], directory: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ARTIFACTS_DIR": str(directory)}
    return subprocess.run(
        [sys.executable, *command, "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def our_lines(stderr: str) -> list[str]:
    """stderr without TensorFlow's native start-up notices."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith(("I0000", "W0000", "WARNING: All log"))
    ]


@pytest.mark.slow
def test_python_m_service_exits_non_zero_with_one_line_for_a_missing_bundle(tmp_path):
    missing = tmp_path / "no-bundle"

    result = run(["-m", "service", "--artifacts", str(missing)], missing)

    assert result.returncode == 1
    lines = our_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert str(missing) in lines[0]
    assert "python -m training" in lines[0] and "ARTIFACTS_DIR" in lines[0]


@pytest.mark.slow
def test_python_m_service_exits_non_zero_for_an_unsupported_model(tmp_path):
    directory = write_bundle(
        tmp_path / "bundle", unsupported_model("tanh"), identity_scaler()
    )

    result = run(["-m", "service", "--workers", "2"], directory)

    assert result.returncode == 1
    lines = our_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert str(directory / MODEL_FILE) in lines[0] and "tanh" in lines[0]


@pytest.mark.slow
def test_uvicorn_exits_non_zero_logging_one_line_when_the_lifespan_refuses(bundle_copy):
    (bundle_copy / SCALER_FILE).unlink()
    command = ["-m", "uvicorn", "service.app:create_app", "--factory"]

    result = run(command, bundle_copy)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in our_lines(result.stderr) if "cannot start" in line]
    assert len(lines) == 1, result.stderr
    assert (
        str(bundle_copy / SCALER_FILE) in lines[0] and "python -m training" in lines[0]
    )


def test_a_file_given_as_the_bundle_is_named_as_not_a_directory(tmp_path):
    not_a_bundle = tmp_path / "model.keras"
    not_a_bundle.write_text("x")

    with pytest.raises(BundleError, match=r"model\.keras is not a directory"):
        start(not_a_bundle)


def test_an_unreadable_scaler_stops_start_up_naming_it(bundle_copy):
    import bundle as bundle_format

    (bundle_copy / bundle_format.SCALER_FILE).write_bytes(b"not a pickle")
    manifest = json.loads((bundle_copy / bundle_format.MANIFEST_FILE).read_text())
    manifest["files"][bundle_format.SCALER_FILE] = bundle_format.file_sha256(
        bundle_copy / bundle_format.SCALER_FILE
    )
    (bundle_copy / bundle_format.MANIFEST_FILE).write_text(json.dumps(manifest))

    with pytest.raises(BundleError, match=r"scaler\.joblib cannot be loaded"):
        start(bundle_copy)
