"""The log line of each /predict request, written in batches.

A ``logging`` call costs about 20 µs inside the server, as much as the rest of the
scoring path's own work; at thousands of requests per second, one record per
request would cost a sixth of the throughput. So each request adds a tuple, and the
lines are written together as one log record: ``max_lines`` at a time, or
``max_delay`` seconds after the first waiting line, and when the app stops — like
nginx's buffered access log. Each line carries its own timestamp, so the output is
still one line per request. Limitation: a process that is killed outright
(SIGKILL, a crash) loses the lines of its last ``max_delay`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time

logger = logging.getLogger("service.requests")


class RequestLog:
    """Collects one line per request and writes them to ``service.requests``."""

    def __init__(self, max_lines: int = 256, max_delay: float = 1.0) -> None:
        self.max_lines = max_lines
        self.max_delay = max_delay
        self._pending: list[tuple[float, int, int, int, float]] = []

    def add(self, status: int, scored: int, flagged: int, started: float) -> None:
        """Record a finished request; ``started`` is its ``time.perf_counter()``.

        Counts and timing only: never a transaction's features (card data).
        """
        if not logger.isEnabledFor(logging.INFO):
            return
        latency_ms = (time.perf_counter() - started) * 1000.0
        self._pending.append((time.time(), status, scored, flagged, latency_ms))
        if len(self._pending) >= self.max_lines:
            self.flush()
        elif len(self._pending) == 1:
            self._flush_later()

    def _flush_later(self) -> None:
        try:
            asyncio.get_running_loop().call_later(self.max_delay, self.flush)
        except RuntimeError:  # outside an event loop nothing would flush later
            self.flush()

    def flush(self) -> None:
        """Write every waiting line now, as one record."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        logger.info("%s", "\n".join(_line(*request) for request in pending))


def _line(at: float, status: int, scored: int, flagged: int, latency: float) -> str:
    # The format of logging's default asctime, as on the service's other lines.
    seconds = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
    when = f"{seconds},{int(at * 1000) % 1000:03d}"
    return (
        f"{when} INFO service.requests: POST /predict {status} scored={scored} "
        f"flagged={flagged} latency_ms={latency:.2f}"
    )
