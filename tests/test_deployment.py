"""The container files, checked without a Docker engine: statically, and by running
the very commands they run, outside a container, on this machine."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
RUN_SCRIPT = (REPO_ROOT / "scripts" / "run.sh").read_text()


def dockerfile_instruction(name: str) -> str:
    """The last instruction ``name`` of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = re.findall(rf"^{name}\s+(.*)$", joined, flags=re.MULTILINE)
    assert found, f"Dockerfile has no {name}"
    return found[-1]


def script_command(program: str) -> list[str]:
    """The words of the ``.venv/bin/python -m <program>`` line of scripts/run.sh."""
    joined = re.sub(r"\\\n\s*", " ", RUN_SCRIPT)
    line = next(line for line in joined.splitlines() if f"-m {program} " in line)
    words = shlex.split(line.replace("exec ", ""))
    return words[words.index("-m") - 1 :]


def test_compose_file_is_valid_for_docker_compose():
    if shutil.which("docker-compose") is None:
        if os.environ.get("REQUIRE_DOCKER_COMPOSE") == "1":
            pytest.fail("docker-compose is not installed and REQUIRE_DOCKER_COMPOSE=1")
        pytest.skip("docker-compose is not installed")

    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    api = resolved["services"]["api"]
    assert api["depends_on"]["train"]["condition"] == "service_completed_successfully"
    assert "artifacts" in resolved["volumes"]


def test_api_waits_for_a_successful_training_and_is_health_checked():
    api, train = COMPOSE["services"]["api"], COMPOSE["services"]["train"]

    assert api["depends_on"]["train"]["condition"] == "service_completed_successfully"
    assert "/health/ready" in " ".join(api["healthcheck"]["test"])
    assert api["ports"] == ["8000:8000"]
    assert api["environment"]["ARTIFACTS_DIR"] == "/srv/artifacts/current"
    assert "artifacts:/srv/artifacts:ro" in api["volumes"]
    assert "artifacts:/srv/artifacts" in train["volumes"]
    assert train["restart"] == "no"


def test_dockerfile_caches_dependencies_runs_unprivileged_and_checks_readiness():
    install_dependencies = DOCKERFILE.index("pip install -r")
    copy_code = DOCKERFILE.index("COPY training")

    assert DOCKERFILE.startswith("#") and "FROM python:3.11-slim" in DOCKERFILE
    assert install_dependencies < copy_code
    assert dockerfile_instruction("USER") not in ("root", "0")
    assert "/health/ready" in dockerfile_instruction("HEALTHCHECK")
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {"data", "artifacts", ".venv", ".git"} <= set(ignored)


def test_container_commands_are_the_ones_the_quick_start_runs():
    serve = json.loads(dockerfile_instruction("CMD"))
    train = COMPOSE["services"]["train"]["command"]
    quick_serve, quick_train = script_command("service"), script_command("training")

    assert serve[:3] == ["python", "-m", "service"]
    assert quick_serve[1:3] == ["-m", "service"]
    assert train[:3] == ["python", "-m", "training"]
    assert quick_train[1:3] == ["-m", "training"]
    # Same options, only the paths differ between container and checkout.
    assert [word for word in train if word.startswith("--")] == [
        word for word in quick_train if word.startswith("--")
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def container_command(words: list[str], tmp_path: Path, port: int) -> list[str]:
    """A container's command for this checkout: the interpreter of this test run,
    its paths under ``tmp_path`` and a free loopback port."""
    local = {
        "python": sys.executable,
        "/srv/artifacts/current": str(tmp_path / "artifacts" / "current"),
        "/data/creditcard.csv": str(tmp_path / "data" / "creditcard.csv"),
        "0.0.0.0": "127.0.0.1",
        "8000": str(port),
    }
    return [local.get(word, word) for word in words]


@pytest.mark.slow
def test_compose_demo_trains_serves_and_scores_outside_a_container(tmp_path):
    port = free_port()
    environment = {
        **os.environ,
        **{
            key: str(value)
            for key, value in COMPOSE["services"]["api"]["environment"].items()
        },
        "ARTIFACTS_DIR": str(tmp_path / "artifacts" / "current"),
    }

    training = subprocess.run(
        container_command(COMPOSE["services"]["train"]["command"], tmp_path, port),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert training.returncode == 0, training.stderr[-2000:]
    assert "SYNTHETIC" in training.stderr  # no data mounted: the labelled demo

    serve = container_command(json.loads(dockerfile_instruction("CMD")), tmp_path, port)
    server = subprocess.Popen(
        [*serve, "--workers", "1"],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                if http("GET", f"{base}/health/ready")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, "service never became ready"
            time.sleep(0.5)

        transaction = {
            "Time": 10.0,
            "Amount": 12.5,
            "id": "tx-1",
            **{f"V{i}": 0.1 for i in range(1, 29)},
        }
        status, scored = http("POST", f"{base}/predict?threshold=0", transaction)
        assert status == 200, scored
        assert scored["predictions"][0]["id"] == "tx-1"
        assert scored["predictions"][0]["is_fraud"] is True  # threshold 0 flags all
        assert 0.0 <= scored["predictions"][0]["fraud_probability"] <= 1.0

        status, metrics = http("GET", f"{base}/metrics")
        stored = json.loads(
            (tmp_path / "artifacts" / "current" / "metrics.json").read_text()
        )
        assert status == 200 and metrics == stored
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0
