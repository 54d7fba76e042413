"""Serve a bundle: ``python -m service --artifacts DIR --port 8000 --workers N``.

Every other setting comes from the environment (see ``service.settings``).
"""

from __future__ import annotations

import argparse
import copy
import logging
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import uvicorn
import uvicorn.config
from pydantic import ValidationError

from service.scorer import bundle_problem
from service.settings import Settings

logger = logging.getLogger("service")


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration plus the service's own loggers at ``level``.

    The service's lines use a plain formatter: uvicorn's copies every record and
    styles its level, which at one line per request costs ~10 µs a request.
    """
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["service"] = {
        "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"
    }
    config["handlers"]["service"] = {
        "class": "logging.StreamHandler",
        "formatter": "service",
        "stream": "ext://sys.stderr",
    }
    # Request lines arrive formatted, many to a record (service.requestlog).
    config["formatters"]["request_lines"] = {"format": "%(message)s"}
    config["handlers"]["request_lines"] = {
        "class": "logging.StreamHandler",
        "formatter": "request_lines",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["service.requests"] = {
        "handlers": ["request_lines"],
        "level": level,
        "propagate": False,
    }
    config["loggers"]["service"] = {
        "handlers": ["service"],
        "level": level,
        "propagate": False,
    }
    return config


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {port}")
    return port


def _worker_count(text: str) -> int:
    workers = int(text)
    if workers < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {workers}")
    return workers


def usable_cpus() -> int:
    """CPUs this process may run on (a container's cpuset, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def settings_problem(error: ValidationError) -> str:
    """The settings errors as one line naming each environment variable."""
    return "; ".join(
        f"{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Check the bundle, then serve it with uvicorn; return the exit status.

    Exits 2 for bad arguments or settings and 1 for a bundle that cannot be read,
    each with one log line saying what to do; uvicorn exits 3 when a worker cannot
    start.
    """
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__)
    parser.add_argument(
        "--artifacts",
        type=Path,
        help="bundle directory written by `python -m training` (default: "
        "$ARTIFACTS_DIR, else artifacts/)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8000)
    parser.add_argument(
        "--workers",
        type=_worker_count,
        default=usable_cpus(),
        help="worker processes, each with its own copy of the model (default: "
        "the number of CPUs this process may use)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s:     %(message)s")

    # Workers are new processes: they read the bundle's location from the
    # environment, like every other setting.
    if args.artifacts is not None:
        os.environ["ARTIFACTS_DIR"] = str(args.artifacts)
    # TensorFlow's C++ INFO notices are noise in a server log.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    try:
        settings = Settings()
    except ValidationError as error:
        logger.error("cannot start: %s", settings_problem(error))
        return 2

    # Load the bundle once before serving, so that any problem with it (files,
    # checksums, features, architecture, self-check) stops the command with one
    # line and status 1 before the port is bound: a worker that failed instead
    # would stop uvicorn, which then exits 0 when it runs several workers. The
    # check runs in a process of its own, which returns TensorFlow's memory
    # (~650 MB) when it ends.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as checker:
        problem = checker.submit(bundle_problem, settings.artifacts_dir).result()
    if problem is not None:
        logger.error("cannot start: %s", problem)
        return 1

    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again so the
    # process dies of it (status 143). A graceful stop (docker stop, systemd) is a
    # success: this handler, which uvicorn restores before raising, exits 0.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config(settings.log_level),
        log_level=settings.log_level.lower(),
        # The /predict log line replaces the access log for the route that matters.
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
