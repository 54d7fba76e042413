"""`python -m service` over real HTTP: ready, scoring, limits, logs, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.bundles import LOGIT_OF_THREE_QUARTERS, transaction
from tests.service.test_startup import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_AMOUNT = 1357.2468  # must not appear in the server's log


@pytest.fixture(scope="module")
def server(linear_bundle) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    environment = {**os.environ, "MAX_BODY_BYTES": "4000", "LOG_LEVEL": "INFO"}
    command = [sys.executable, "-m", "service", "--artifacts", str(linear_bundle)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the service never became ready"
            time.sleep(0.25)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.slow
def test_the_server_scores_refuses_oversized_bodies_and_stops_cleanly(server):
    base, process = server
    body = transaction(LOGIT_OF_THREE_QUARTERS, Amount=SECRET_AMOUNT, id="over-http")
    oversized = json.dumps({"transactions": [transaction()] * 20}).encode()
    assert len(oversized) > 4000

    scored = httpx.post(f"{base}/predict", json=body, timeout=10)
    declared = httpx.post(
        f"{base}/predict",
        content=oversized,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    chunked = httpx.post(
        f"{base}/predict",
        content=iter([oversized[:2000], oversized[2000:]]),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)

    assert scored.status_code == 200
    assert scored.json()["predictions"][0]["id"] == "over-http"
    assert scored.json()["predictions"][0]["fraud_probability"] == pytest.approx(
        0.75, abs=1e-6
    )
    assert declared.status_code == 413 and "MAX_BODY_BYTES" in declared.json()["detail"]
    assert chunked.status_code == 413 and "MAX_BODY_BYTES" in chunked.json()["detail"]
    assert "POST /predict 200 scored=1 flagged=1" in output
    assert str(SECRET_AMOUNT) not in output
    assert process.returncode == 0
