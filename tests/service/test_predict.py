"""POST /predict on valid input. The linear bundle scores sigmoid(V1), so every
expected probability below is worked out by hand."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.schemas import PredictResponse
from service.settings import Settings
from tests.service.bundles import LOGIT_OF_THREE_QUARTERS, transaction
from tests.service.conftest import LINEAR_VERSION

# The network computes in float32: 3/4 comes back as 0.75000006.
FLOAT32 = 1e-6


def test_a_single_transaction_gets_its_probability_flag_threshold_and_version(
    linear_client,
):
    response = linear_client.post("/predict", json=transaction(LOGIT_OF_THREE_QUARTERS))

    assert response.status_code == 200
    answer = response.json()
    assert answer["predictions"][0]["fraud_probability"] == pytest.approx(
        0.75, abs=FLOAT32
    )
    assert answer["predictions"][0]["is_fraud"] is True  # 0.75 >= default 0.5
    assert "id" not in answer["predictions"][0]
    assert answer["threshold"] == 0.5
    assert answer["model_version"] == LINEAR_VERSION


def test_a_batch_keeps_request_order_and_echoes_each_id(linear_client):
    batch = [
        transaction(-LOGIT_OF_THREE_QUARTERS, id="first"),
        transaction(LOGIT_OF_THREE_QUARTERS, id=2),
        transaction(0.0),
        transaction(-LOGIT_OF_THREE_QUARTERS, id=""),
    ]

    response = linear_client.post("/predict", json={"transactions": batch})

    assert response.status_code == 200
    PredictResponse.model_validate(response.json())  # the documented shape
    predictions = response.json()["predictions"]
    assert [p.get("id", "absent") for p in predictions] == ["first", 2, "absent", ""]
    assert [p["fraud_probability"] for p in predictions] == pytest.approx(
        [0.25, 0.75, 0.5, 0.25], abs=FLOAT32
    )
    assert [p["is_fraud"] for p in predictions] == [False, True, True, False]


def test_a_batch_of_one_answers_like_a_single_transaction(linear_client):
    single = linear_client.post("/predict", json=transaction(1.0, id=9)).json()
    batch = linear_client.post(
        "/predict", json={"transactions": [transaction(1.0, id=9)]}
    ).json()

    assert single == batch


def test_the_threshold_query_parameter_overrides_the_default(linear_client):
    response = linear_client.post(
        "/predict", params={"threshold": 0.8}, json=transaction(LOGIT_OF_THREE_QUARTERS)
    )

    answer = response.json()
    assert answer["threshold"] == 0.8
    assert answer["predictions"][0]["is_fraud"] is False  # 0.75 < 0.8


def test_a_probability_equal_to_the_threshold_is_flagged(linear_client):
    # sigmoid(0) is exactly 0.5 in float32 too.
    response = linear_client.post(
        "/predict", params={"threshold": 0.5}, json=transaction(0.0)
    )

    prediction = response.json()["predictions"][0]
    assert prediction["fraud_probability"] == 0.5
    assert prediction["is_fraud"] is True


def test_a_threshold_just_above_the_probability_is_not_rounded_down(linear_client):
    # 0.5 + 1e-12 rounds to 0.5 in float32; the comparison must not round it.
    response = linear_client.post(
        "/predict", params={"threshold": 0.5 + 1e-12}, json=transaction(0.0)
    )

    assert response.json()["predictions"][0]["is_fraud"] is False


def test_threshold_zero_flags_every_transaction(linear_client):
    # sigmoid(-200) underflows to a probability of 0.
    batch = [transaction(-200.0), transaction(-LOGIT_OF_THREE_QUARTERS), transaction(5)]

    response = linear_client.post(
        "/predict", params={"threshold": 0}, json={"transactions": batch}
    )

    predictions = response.json()["predictions"]
    assert predictions[0]["fraud_probability"] == 0.0
    assert [p["is_fraud"] for p in predictions] == [True, True, True]


def test_threshold_one_flags_only_transactions_of_probability_one(linear_client):
    # sigmoid(200) is 1 in floating point; sigmoid(10) = 0.99995.
    batch = [transaction(200.0), transaction(10.0), transaction(0.0)]

    response = linear_client.post(
        "/predict", params={"threshold": 1}, json={"transactions": batch}
    )

    predictions = response.json()["predictions"]
    assert [p["fraud_probability"] for p in predictions] == pytest.approx(
        [1.0, 0.9999546, 0.5], abs=FLOAT32
    )
    assert [p["is_fraud"] for p in predictions] == [True, False, False]


def test_integers_are_accepted_as_numbers(linear_client):
    body = transaction(0, Time=0, Amount=12)

    response = linear_client.post("/predict", json=body)

    assert response.status_code == 200
    assert response.json()["predictions"][0]["fraud_probability"] == 0.5


def test_default_threshold_setting_replaces_the_bundles_threshold(linear_bundle):
    settings = Settings(artifacts_dir=linear_bundle, default_threshold=0.8)

    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/predict", json=transaction(LOGIT_OF_THREE_QUARTERS)
        ).json()
        served_model = client.get("/model").json()

    assert answer["threshold"] == 0.8
    assert answer["predictions"][0]["is_fraud"] is False
    assert served_model["threshold"]["value"] == 0.8
    assert "DEFAULT_THRESHOLD" in served_model["threshold"]["rule"]


def test_a_batch_of_the_maximum_size_is_scored(linear_bundle):
    settings = Settings(artifacts_dir=linear_bundle, max_batch_size=5000)
    batch = [transaction(float(i % 3) - 1.0, id=i) for i in range(5000)]

    with TestClient(create_app(settings)) as client:
        response = client.post("/predict", json={"transactions": batch})

    predictions = response.json()["predictions"]
    assert [p["id"] for p in predictions] == list(range(5000))
    # V1 cycles through -1, 0, 1: sigmoid gives 0.2689, 0.5, 0.7311.
    assert [p["fraud_probability"] for p in predictions[:3]] == pytest.approx(
        [0.26894142, 0.5, 0.73105858], abs=FLOAT32
    )


def test_the_trained_demo_bundle_scores_within_zero_and_one(demo_client, demo_bundle):
    batch = [
        transaction(v1, Time=1000.0 * v1 + 5000, Amount=3.5) for v1 in range(-5, 6)
    ]

    response = demo_client.post("/predict", json={"transactions": batch})

    assert response.status_code == 200
    answer = response.json()
    assert all(0.0 <= p["fraud_probability"] <= 1.0 for p in answer["predictions"])
    served_model = demo_client.get("/model").json()
    assert answer["model_version"] == served_model["version_id"]
    assert answer["threshold"] == served_model["threshold"]["value"]
