"""One log line per /predict request with counts and latency, and no card data."""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.requestlog import RequestLog
from service.settings import Settings
from tests.service.bundles import LOGIT_OF_THREE_QUARTERS, transaction

# Distinctive values that must never reach a log.
CARD_DATA = {
    "V2": 0.314159265,
    "V3": -2.718281828,
    "Amount": 4242.4242,
    "Time": 86399.5,
}


@pytest.fixture
def service_log(caplog, linear_client):
    caplog.set_level(logging.INFO, logger="service")
    # Lines of earlier tests' requests may still be waiting: write them out now,
    # before this test's records are collected.
    linear_client.app.state.request_log.flush()
    return caplog


def lines_about_predict(caplog, client) -> list[str]:
    """The request lines logged so far, written out now (they are batched)."""
    client.app.state.request_log.flush()
    records = [r.getMessage() for r in caplog.records if r.name == "service.requests"]
    return "\n".join(records).splitlines()


def test_a_scored_batch_logs_one_line_with_counts_and_latency(
    linear_client, service_log
):
    batch = [
        transaction(LOGIT_OF_THREE_QUARTERS, **CARD_DATA),
        transaction(-LOGIT_OF_THREE_QUARTERS, **CARD_DATA),
        transaction(-LOGIT_OF_THREE_QUARTERS, **CARD_DATA),
    ]

    linear_client.post("/predict", json={"transactions": batch})

    [line] = lines_about_predict(service_log, linear_client)
    assert "POST /predict 200" in line
    assert "scored=3 flagged=1" in line
    assert "latency_ms=" in line


def test_a_refused_request_is_logged_with_its_status(linear_client, service_log):
    linear_client.post("/predict", json=transaction(Amount=-1.0))

    [line] = lines_about_predict(service_log, linear_client)
    assert "POST /predict 422 scored=0 flagged=0" in line


def test_no_feature_value_is_logged(linear_client, service_log):
    service_log.set_level(logging.DEBUG)
    linear_client.post("/predict", json=transaction(**CARD_DATA))
    linear_client.post("/predict", json=transaction(V1="oops", **CARD_DATA))

    logged = "\n".join(r.getMessage() for r in service_log.records)
    assert len(lines_about_predict(service_log, linear_client)) == 2
    for value in CARD_DATA.values():
        assert str(value) not in logged


def test_request_lines_are_written_together_once_enough_are_waiting(caplog):
    caplog.set_level(logging.INFO, logger="service")
    request_log = RequestLog(max_lines=3, max_delay=60.0)

    async def three_requests() -> list:
        for status in (200, 422):
            request_log.add(status, 1, 0, started=0.0)
        waiting = [r for r in caplog.records if r.name == "service.requests"]
        request_log.add(200, 5, 2, started=0.0)
        return waiting

    waiting = asyncio.run(three_requests())

    [record] = [r for r in caplog.records if r.name == "service.requests"]
    lines = record.getMessage().splitlines()
    assert waiting == []
    assert [line.split(": ", 1)[1].split(" latency")[0] for line in lines] == [
        "POST /predict 200 scored=1 flagged=0",
        "POST /predict 422 scored=1 flagged=0",
        "POST /predict 200 scored=5 flagged=2",
    ]
    assert all(
        line[:4].isdigit() and " INFO service.requests: " in line for line in lines
    )


def test_waiting_lines_are_written_within_the_delay_without_more_traffic(caplog):
    caplog.set_level(logging.INFO, logger="service")

    async def one_request_then_quiet():
        request_log = RequestLog(max_lines=100, max_delay=0.05)
        request_log.add(200, 1, 1, started=0.0)
        await asyncio.sleep(0.2)

    asyncio.run(one_request_then_quiet())

    [record] = [r for r in caplog.records if r.name == "service.requests"]
    assert "POST /predict 200 scored=1 flagged=1" in record.getMessage()


def test_stopping_the_app_writes_the_waiting_lines(linear_bundle, caplog):
    caplog.set_level(logging.INFO, logger="service")
    with TestClient(create_app(Settings(artifacts_dir=linear_bundle))) as client:
        client.post("/predict", json=transaction())
        assert not [r for r in caplog.records if r.name == "service.requests"]

    [record] = [r for r in caplog.records if r.name == "service.requests"]
    assert "POST /predict 200 scored=1" in record.getMessage()
