"""How fast the service answers, against baselines measured in the same run.

    python -m bench.bench_service --artifacts artifacts

Over HTTP (wrk, one uvicorn worker each, the same uvicorn options) it drives
(a) a bare FastAPI app whose ``async def`` endpoint takes the same single-transaction
    body and returns a constant: the floor that FastAPI and uvicorn set;
(b) the service, with its log line per request and without (LOG_LEVEL=WARNING);
(c) the service scoring with ``model.predict`` per request instead of the fast path.
In process it scores one batch of synthetic rows with ``Scorer.score`` and with
``model.predict``. It prints numbers and ratios and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI

from service.app import create_app
from service.schemas import EXAMPLE_TRANSACTION, Transaction
from service.scorer import Scorer

REPO_ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_SECONDS = 180


def create_bare_app() -> FastAPI:
    """(a): the request schema of one transaction, a constant answer."""
    app = FastAPI()

    @app.post("/predict")
    async def predict(transaction: Transaction) -> dict[str, bool]:  # type: ignore[valid-type]
        return {"ok": True}

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


class ModelPredictScorer(Scorer):
    """The service's scorer with ``model.predict`` in place of the fast path."""

    def score(self, features: np.ndarray) -> np.ndarray:
        return self.score_with_model(features)

    def self_check(self, model_path: Path) -> None:
        """Nothing to check: this scorer is the reference itself."""


def create_model_predict_app() -> FastAPI:
    """(c): the service, scoring with ``model.predict`` per request."""
    return create_app(scorer_type=ModelPredictScorer)


# name, uvicorn factory, environment; the service runs twice: with its log line
# per request (LOG_LEVEL=INFO, the default) and without (WARNING).
APPS = [
    ("bare FastAPI", "bench.bench_service:create_bare_app", {}),
    ("service", "service.app:create_app", {"LOG_LEVEL": "INFO"}),
    ("service, no log", "service.app:create_app", {"LOG_LEVEL": "WARNING"}),
    ("model.predict", "bench.bench_service:create_model_predict_app", {}),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} was not ready within {READY_TIMEOUT_SECONDS} s")


def start_server(target: str, port: int, environment: dict[str, str], log: Path):
    """uvicorn on 127.0.0.1:port, one worker, the options of ``python -m service``."""
    from service.__main__ import log_config

    config_path = log.with_suffix(".logging.json")
    config_path.write_text(json.dumps(log_config("INFO")))
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-config",
        str(config_path),
    ]
    with open(log, "w") as log_file:
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def lua_script(body: str, directory: Path) -> Path:
    path = directory / "predict.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests per second, latency percentiles in ms and error counts."""
    result: dict[str, Any] = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}%\s+(\S+)", output, flags=re.MULTILINE)
        result[f"p{percentile}_ms"] = _milliseconds(match.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:(.*)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    result["socket_errors"] = socket_errors.group(1).strip() if socket_errors else ""
    return result


def run_wrk(url: str, script: Path, args: argparse.Namespace, seconds: float) -> str:
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={seconds:g}s",
        "--timeout=30s",
        "--latency",
        f"--script={script}",
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return completed.stdout


def bench_http(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, Any]]:
    import httpx

    body = json.dumps(EXAMPLE_TRANSACTION)
    script = lua_script(body, workdir)
    environment = {
        **os.environ,
        "ARTIFACTS_DIR": str(args.artifacts),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": str(REPO_ROOT),
    }
    results = {}
    for index, (name, target, settings) in enumerate(APPS):
        port = free_port()
        log = workdir / f"server-{index}.log"
        server = start_server(target, port, {**environment, **settings}, log)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/health/ready", server)
            url = f"http://127.0.0.1:{port}/predict"
            answer = httpx.post(
                url, content=body, headers={"Content-Type": "application/json"}
            )
            if answer.status_code != 200:
                raise RuntimeError(
                    f"{name}: POST /predict answered {answer.status_code}"
                )
            run_wrk(url, script, args, args.warmup)
            results[name] = parse_wrk(run_wrk(url, script, args, args.duration))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        print(f"  {name}: {results[name]['rps']:.0f} req/s", flush=True)
    return results


def synthetic_rows(count: int) -> np.ndarray:
    """Rows in the ranges of the published data set (not real transactions)."""
    rng = np.random.default_rng(0)
    rows = rng.standard_normal((count, 30))
    rows[:, 0] = rng.uniform(0, 172_792, count)
    rows[:, 29] = rng.lognormal(3.0, 1.5, count)
    return rows


def bench_batch(args: argparse.Namespace) -> dict[str, float]:
    """Rows per second of Scorer.score and of model.predict on the same rows."""
    scorer = Scorer.load(args.artifacts)
    rows = synthetic_rows(args.rows)

    fast_seconds = min(_timed(scorer.score, rows) for _ in range(3))
    scaled = scorer.scaler.transform(rows)
    scorer.model.predict(scaled[:1000], verbose=0, batch_size=args.predict_batch_size)
    predict_seconds = _timed(
        lambda x: scorer.model.predict(
            x, verbose=0, batch_size=args.predict_batch_size
        ),
        scaled,
    )
    one_row = scaled[:1]
    single_ms = 1000 * min(
        _timed(lambda x: scorer.model.predict(x, verbose=0), one_row) for _ in range(20)
    )
    return {
        "fast_rows_per_s": args.rows / fast_seconds,
        "predict_rows_per_s": args.rows / predict_seconds,
        "predict_one_row_ms": single_ms,
    }


def _timed(function, argument) -> float:
    started = time.perf_counter()
    function(argument)
    return time.perf_counter() - started


def print_report(http: dict[str, dict[str, Any]], batch: dict[str, float]) -> None:
    if http:
        print(
            f"\n{'app':<18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}"
            f"{'non-2xx':>9}  socket errors"
        )
        for name, row in http.items():
            print(
                f"{name:<18}{row['rps']:>10.0f}{row['p50_ms']:>10.2f}"
                f"{row['p99_ms']:>10.2f}{row['requests']:>10}{row['non_2xx']:>9}  "
                f"{row['socket_errors'] or '-'}"
            )
        bare, slow = http["bare FastAPI"]["rps"], http["model.predict"]["rps"]
        print()
        for name in ("service", "service, no log"):
            ours = http[name]["rps"]
            print(
                f"{name + ' / bare FastAPI':<34} = {ours / bare:6.2f}   (target >= 0.9)"
            )
            print(
                f"{name + ' / model.predict':<34} = {ours / slow:6.1f}   (target >= 50)"
            )
    if batch:
        fast, slow = batch["fast_rows_per_s"], batch["predict_rows_per_s"]
        print(
            f"\nbatch scoring: Scorer.score {fast / 1e6:.2f} M rows/s (target >= 1), "
            f"model.predict {slow / 1e6:.3f} M rows/s: {fast / slow:.1f}x"
        )
        print(f"model.predict on one row: {batch['predict_one_row_ms']:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--artifacts", type=Path, required=True, help="a trained bundle"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per app")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="batch size in process"
    )
    parser.add_argument(
        "--predict-batch-size",
        type=int,
        default=8192,
        help="batch_size given to model.predict for the batch baseline",
    )
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args(argv)
    args.artifacts = args.artifacts.resolve()

    http, batch = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-service-") as workdir:
        if not args.skip_http:
            print("HTTP, one worker per app:", flush=True)
            http = bench_http(args, Path(workdir))
    if not args.skip_batch:
        print("batch scoring in process ...", flush=True)
        batch = bench_batch(args)
    print_report(http, batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
