"""One log line per /predict request with counts and latency, and no card data."""

from __future__ import annotations

import logging

import pytest

from tests.service.bundles import LOGIT_OF_THREE_QUARTERS, transaction

# Distinctive values that must never reach a log.
CARD_DATA = {
    "V2": 0.314159265,
    "V3": -2.718281828,
    "Amount": 4242.4242,
    "Time": 86399.5,
}


@pytest.fixture
def service_log(caplog):
    caplog.set_level(logging.INFO, logger="service")
    return caplog


def lines_about_predict(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "service.requests"]


def test_a_scored_batch_logs_one_line_with_counts_and_latency(
    linear_client, service_log
):
    batch = [
        transaction(LOGIT_OF_THREE_QUARTERS, **CARD_DATA),
        transaction(-LOGIT_OF_THREE_QUARTERS, **CARD_DATA),
        transaction(-LOGIT_OF_THREE_QUARTERS, **CARD_DATA),
    ]

    linear_client.post("/predict", json={"transactions": batch})

    [line] = lines_about_predict(service_log)
    assert "POST /predict 200" in line
    assert "scored=3 flagged=1" in line
    assert "latency_ms=" in line


def test_a_refused_request_is_logged_with_its_status(linear_client, service_log):
    linear_client.post("/predict", json=transaction(Amount=-1.0))

    [line] = lines_about_predict(service_log)
    assert "POST /predict 422 scored=0 flagged=0" in line


def test_no_feature_value_is_logged(linear_client, service_log):
    service_log.set_level(logging.DEBUG)
    linear_client.post("/predict", json=transaction(**CARD_DATA))
    linear_client.post("/predict", json=transaction(V1="oops", **CARD_DATA))

    logged = "\n".join(r.getMessage() for r in service_log.records)
    assert len(lines_about_predict(service_log)) == 2
    for value in CARD_DATA.values():
        assert str(value) not in logged
