"""Bundles and clients shared by the service tests.

- ``demo_bundle`` (tests/conftest.py): trained by ``training`` on synthetic data;
- ``linear_bundle``: fraud_probability = sigmoid(V1) with an identity scaler and
  default threshold 0.5, so that expected answers can be worked out by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.bundles import identity_scaler, linear_model, write_bundle

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SERVICE_ENVIRONMENT = (
    "ARTIFACTS_DIR",
    "DEFAULT_THRESHOLD",
    "MAX_BATCH_SIZE",
    "MAX_BODY_BYTES",
    "LOG_LEVEL",
    "API_TOKEN",
)

LINEAR_VERSION = "linear-sigmoid-v1"


@pytest.fixture(scope="session", autouse=True)
def _no_service_environment() -> Iterator[None]:
    """The tests configure the service explicitly, never from the caller's shell."""
    with pytest.MonkeyPatch.context() as patch:
        for name in SERVICE_ENVIRONMENT:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="session")
def linear_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("linear") / "bundle"
    return write_bundle(
        directory, linear_model(), identity_scaler(), version_id=LINEAR_VERSION
    )


@pytest.fixture(scope="session")
def linear_client(linear_bundle: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(artifacts_dir=linear_bundle))) as client:
        yield client


@pytest.fixture(scope="session")
def demo_client(demo_bundle: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(artifacts_dir=demo_bundle))) as client:
        yield client
