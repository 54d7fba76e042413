"""API_TOKEN: when set, POST /predict needs the bearer token; nothing else does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.service.bundles import transaction

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def guarded_client(linear_bundle) -> Iterator[TestClient]:
    settings = Settings(artifacts_dir=linear_bundle, api_token=TOKEN)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ],
    ids=["missing", "wrong", "longer", "basic-scheme", "no-scheme"],
)
def test_predict_without_the_right_token_gets_401(guarded_client, headers):
    response = guarded_client.post("/predict", json=transaction(), headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]


def test_predict_with_the_right_token_is_scored(guarded_client):
    response = guarded_client.post(
        "/predict", json=transaction(), headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert response.status_code == 200


def test_a_missing_token_is_refused_before_the_body_is_judged(guarded_client):
    response = guarded_client.post("/predict", json={"not": "a transaction"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/health/live", "/health/ready", "/metrics", "/model", "/docs", "/openapi.json"],
)
def test_everything_but_predict_stays_open(guarded_client, path):
    assert guarded_client.get(path).status_code == 200


def test_without_api_token_predict_needs_no_header(linear_client):
    assert linear_client.post("/predict", json=transaction()).status_code == 200


def test_the_openapi_document_shows_predicts_bearer_security(guarded_client):
    document = guarded_client.get("/openapi.json").json()

    assert document["paths"]["/predict"]["post"]["security"] == [{"bearer": []}]
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme == {"type": "http", "scheme": "bearer"}
    assert "security" not in document["paths"]["/model"]["get"]
