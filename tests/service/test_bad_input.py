"""Bad input to POST /predict gets a 4xx whose body names the field or the limit,
never a 500, and never echoes card data."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bundle import FEATURE_NAMES
from service.app import MAX_REPORTED_ERRORS, create_app
from service.settings import Settings
from tests.service.bundles import transaction


def without(field: str) -> dict:
    body = transaction()
    del body[field]
    return body


VALID_JSON = json.dumps(transaction())  # edited as text for what json.dumps won't write


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        (without("V17"), ["body", "V17"], "missing"),
        (without("Amount"), ["body", "Amount"], "missing"),
        (transaction(V29=0.1), ["body", "V29"], "extra_forbidden"),
        (transaction(Amount="1.5"), ["body", "Amount"], "float_type"),
        (transaction(V3=None), ["body", "V3"], "float_type"),
        (transaction(V2=True), ["body", "V2"], "float_type"),
        (transaction(V4=[1.0]), ["body", "V4"], "float_type"),
        (transaction(Amount=-0.01), ["body", "Amount"], "greater_than_equal"),
        (transaction(Time=-1), ["body", "Time"], "greater_than_equal"),
        # Beyond float32's range (3.4e38) the network would answer NaN.
        (transaction(V1=1e39), ["body", "V1"], "less_than_equal"),
        (transaction(Amount=1e300), ["body", "Amount"], "less_than_equal"),
        (transaction(V7=-3.5e38), ["body", "V7"], "greater_than_equal"),
        (transaction(Time=1e10), ["body", "Time"], "less_than_equal"),
        (transaction(id="x" * 257), ["body", "id"], "id_too_long"),
        (transaction(id=1.5), ["body", "id"], "id_type"),
        (transaction(id=True), ["body", "id"], "id_type"),
        (transaction(id={"a": 1}), ["body", "id"], "id_type"),
        ({"transactions": []}, ["body", "transactions"], "too_short"),
        ({"transactions": None}, ["body", "transactions"], "list_type"),
        (
            {"transactions": [transaction()], "extra": 1},
            ["body", "extra"],
            "extra_forbidden",
        ),
        (
            {"transactions": [transaction(), transaction(), transaction(Amount=-5)]},
            ["body", "transactions", 2, "Amount"],
            "greater_than_equal",
        ),
        (
            {"transactions": [transaction(), without("V1")]},
            ["body", "transactions", 1, "V1"],
            "missing",
        ),
        # Not an object at all: pydantic's error type for it varies with the caller.
        ([transaction()], ["body"], None),
        ("a transaction", ["body"], None),
    ],
)
def test_an_invalid_field_is_named_in_a_422(linear_client, body, loc, error_type):
    response = linear_client.post("/predict", json=body)

    assert response.status_code == 422
    errors = response.json()["detail"]
    assert loc in [e["loc"] for e in errors]
    if error_type is not None:
        assert {"loc": loc, "type": error_type} in [
            {"loc": e["loc"], "type": e["type"]} for e in errors
        ]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (VALID_JSON.replace('"V1": 0.0', '"V1": NaN'), "V1"),
        (VALID_JSON.replace('"V5": 1.0', '"V5": Infinity'), "V5"),
        (VALID_JSON.replace('"Amount": 1.0', '"Amount": -Infinity'), "Amount"),
    ],
)
def test_nan_and_infinity_written_into_the_json_are_refused(linear_client, text, field):
    assert text != VALID_JSON
    response = linear_client.post(
        "/predict", content=text.encode(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


@pytest.mark.parametrize("threshold", ["-0.1", "1.01", "abc", "nan", "inf", ""])
def test_a_threshold_outside_zero_to_one_or_not_a_number_is_refused(
    linear_client, threshold
):
    response = linear_client.post(
        "/predict", params={"threshold": threshold}, json=transaction()
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "threshold"]


@pytest.mark.parametrize("text", ['{"Time": 1.0, "V1": ', "{'Time': 1.0}", "", "nul"])
def test_malformed_json_is_a_4xx_that_says_so(linear_client, text):
    response = linear_client.post(
        "/predict", content=text.encode(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body"]
    assert error["type"] == "json_invalid"


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {},
    ],
)
def test_a_body_that_is_not_declared_json_gets_415(linear_client, headers):
    response = linear_client.post(
        "/predict", content=VALID_JSON.encode(), headers=headers
    )

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_a_json_subtype_content_type_is_accepted(linear_client):
    response = linear_client.post(
        "/predict",
        content=VALID_JSON.encode(),
        headers={"Content-Type": "application/merge-patch+json; charset=utf-8"},
    )

    assert response.status_code == 200


def test_errors_do_not_echo_the_transaction(linear_client):
    body = transaction(V2=0.123456789, Amount="9876.54321")

    response = linear_client.post("/predict", json=body)

    assert response.status_code == 422
    assert "9876.54321" not in response.text
    assert "0.123456789" not in response.text
    assert all(set(e) == {"loc", "msg", "type"} for e in response.json()["detail"])


def test_errors_of_a_large_bad_batch_are_listed_up_to_a_limit(linear_client):
    batch = [{"Time": 1.0}] * 10  # each row misses 29 fields: 290 errors

    response = linear_client.post("/predict", json={"transactions": batch})

    detail = response.json()["detail"]
    assert len(detail) == MAX_REPORTED_ERRORS + 1
    assert detail[-1]["type"] == "too_many_errors"
    assert str(10 * (len(FEATURE_NAMES) - 1) - MAX_REPORTED_ERRORS) in detail[-1]["msg"]


@pytest.fixture(scope="module")
def small_limits_client(linear_bundle) -> Iterator[TestClient]:
    settings = Settings(
        artifacts_dir=linear_bundle, max_batch_size=3, max_body_bytes=4000
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_batch_over_max_batch_size_is_refused_naming_the_limit(small_limits_client):
    response = small_limits_client.post(
        "/predict", json={"transactions": [transaction()] * 4}
    )

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "transactions"]
    assert "MAX_BATCH_SIZE (3)" in error["msg"]


def test_a_batch_of_max_batch_size_is_accepted(small_limits_client):
    response = small_limits_client.post(
        "/predict", json={"transactions": [transaction()] * 3}
    )

    assert response.status_code == 200


def oversized_body() -> bytes:
    body = json.dumps({"transactions": [transaction()] * 3, "padding": "x" * 4000})
    assert len(body) > 4000
    return body.encode()


def test_a_body_declared_over_max_body_bytes_gets_413_naming_the_limit(
    small_limits_client,
):
    response = small_limits_client.post(
        "/predict",
        content=oversized_body(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert "MAX_BODY_BYTES (4000 bytes)" in response.json()["detail"]


def in_chunks(body: bytes, size: int = 500) -> Iterator[bytes]:
    """A body sent with Transfer-Encoding: chunked, which declares no length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_over_max_body_bytes_gets_413(small_limits_client):
    response = small_limits_client.post(
        "/predict",
        content=in_chunks(oversized_body()),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert "MAX_BODY_BYTES (4000 bytes)" in response.json()["detail"]


def test_a_chunked_body_under_the_limit_is_scored(small_limits_client):
    body = json.dumps({"transactions": [transaction(id=1), transaction(id=2)]}).encode()

    response = small_limits_client.post(
        "/predict",
        content=in_chunks(body, 100),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["predictions"]] == [1, 2]


def test_a_threshold_given_twice_is_refused_not_silently_picked(linear_client):
    response = linear_client.post(
        "/predict",
        params=[("threshold", "0.1"), ("threshold", "0.9")],
        json=transaction(),
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "threshold"]


def test_the_largest_accepted_values_still_get_a_real_score(demo_client):
    from service.schemas import FEATURE_LIMIT

    extremes = [
        transaction(id="high", **{name: FEATURE_LIMIT for name in FEATURE_NAMES}),
        transaction(
            id="low",
            **{
                name: -FEATURE_LIMIT
                for name in FEATURE_NAMES
                if name not in ("Time", "Amount")
            },
        ),
    ]

    response = demo_client.post("/predict?threshold=0", json={"transactions": extremes})

    assert response.status_code == 200
    for prediction in response.json()["predictions"]:
        assert 0.0 <= prediction["fraud_probability"] <= 1.0
        assert prediction["is_fraud"] is True


def test_a_score_that_is_not_a_number_is_never_answered_as_not_fraud(
    linear_client, monkeypatch
):
    import numpy as np

    scorer = linear_client.app.state.scorer
    monkeypatch.setattr(
        scorer, "score", lambda features: np.full(len(features), np.nan)
    )

    response = linear_client.post(
        "/predict", json={"transactions": [transaction(), transaction()]}
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "transactions", 0],
        ["body", "transactions", 1],
    ]
