"""GET /metrics, /model, /health/*, and the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bundle import FEATURE_NAMES, MANIFEST_FILE, METRICS_FILE
from service.app import create_app
from service.settings import Settings


def test_metrics_serves_the_bundles_evaluation_table_byte_for_byte(
    demo_client, demo_bundle
):
    response = demo_client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == (demo_bundle / METRICS_FILE).read_bytes()


def test_model_serves_the_manifest(demo_client, demo_bundle):
    stored = json.loads((demo_bundle / MANIFEST_FILE).read_text())

    response = demo_client.get("/model")

    assert response.status_code == 200
    served = response.json()
    assert served["version_id"] == stored["version_id"]
    assert served["features"] == list(FEATURE_NAMES)
    assert served["threshold"] == stored["threshold"]
    assert served["parameters"] == stored["parameters"]
    assert served["data"]["sha256"] == stored["data"]["sha256"]
    assert served["files"] == stored["files"]


def test_live_and_ready_answer_200_once_the_bundle_is_loaded(linear_client):
    assert linear_client.get("/health/live").json() == {"status": "live"}
    ready = linear_client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_before_the_bundle_is_loaded_ready_and_predict_answer_503(linear_bundle):
    # Without `with`, TestClient does not run the lifespan: nothing is loaded.
    client = TestClient(create_app(Settings(artifacts_dir=linear_bundle)))

    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").status_code == 503
    assert client.get("/metrics").status_code == 503
    assert client.get("/model").status_code == 503


def test_predict_before_the_bundle_is_loaded_answers_503(linear_bundle):
    client = TestClient(create_app(Settings(artifacts_dir=linear_bundle)))
    body = {name: 1.0 for name in FEATURE_NAMES}

    response = client.post("/predict", json=body)

    assert response.status_code == 503
    assert "not loaded" in response.json()["detail"]


def test_openapi_documents_both_request_shapes_with_a_full_example(linear_client):
    document = linear_client.get("/openapi.json").json()

    request_body = document["paths"]["/predict"]["post"]["requestBody"]
    content = request_body["content"]["application/json"]
    shapes = {ref["$ref"].rsplit("/", 1)[-1] for ref in content["schema"]["oneOf"]}
    assert shapes == {"Transaction", "TransactionBatch"}
    example = content["examples"]["single"]["value"]
    assert set(FEATURE_NAMES) <= set(example)
    assert all(isinstance(example[name], float) for name in FEATURE_NAMES)
    transaction_schema = document["components"]["schemas"]["Transaction"]
    assert set(transaction_schema["required"]) == set(FEATURE_NAMES)
    assert "threshold" in {
        p["name"] for p in document["paths"]["/predict"]["post"]["parameters"]
    }


def test_the_example_request_is_accepted_by_predict(linear_client):
    document = linear_client.get("/openapi.json").json()
    examples = document["paths"]["/predict"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]

    for example in examples.values():
        assert linear_client.post("/predict", json=example["value"]).status_code == 200


def test_the_interactive_docs_are_served(linear_client):
    assert linear_client.get("/docs").status_code == 200


def test_a_direct_route_refuses_an_endpoint_that_declares_parameters():
    from fastapi import FastAPI, Request

    from service.app import _DirectRoute

    async def endpoint(request: Request, threshold: float = 0.5) -> None:
        """A query parameter that a direct route would silently never fill."""

    with pytest.raises(TypeError, match="takes the Request only"):
        FastAPI().router.add_api_route(
            "/scores", endpoint, methods=["POST"], route_class_override=_DirectRoute
        )


def test_health_answers_head_requests_for_load_balancers(linear_client):
    assert linear_client.head("/health/live").status_code == 200
    assert linear_client.head("/health/ready").status_code == 200


def test_start_up_warns_when_the_model_was_trained_on_synthetic_data(
    demo_bundle, caplog
):
    with TestClient(create_app(Settings(artifacts_dir=demo_bundle))):
        pass

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("SYNTHETIC" in message for message in warnings)


def test_predict_is_the_first_route_tried(linear_client):
    first = linear_client.app.router.routes[0]

    assert (first.path, first.methods) == ("/predict", {"POST"})
