"""Pure ASGI wrappers around the app: the body-size limit and the one-line report
of a bundle that cannot be served.

They are plain ASGI callables rather than Starlette's BaseHTTPMiddleware, which
costs tens of microseconds a request.
"""

from __future__ import annotations

import logging
import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bundle import BundleError
from service.requestlog import RequestLog

logger = logging.getLogger("service.requests")


class BodySizeLimit:
    """Answer 413 to a request whose body is larger than ``max_bytes``.

    A declared Content-Length is checked before the app runs (the server then
    holds the client to it). A chunked body, which declares no length, is read
    here while counting and handed on whole; it is refused as soon as the count
    passes the limit, so no more than ``max_bytes`` are ever held.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, request_log: RequestLog | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.request_log = request_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared_length = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared_length = int(value)
            elif name == b"transfer-encoding":
                chunked = True
        if declared_length is not None or not chunked:
            if (declared_length or 0) > self.max_bytes:
                await self._refuse(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return

        chunks = []
        size = 0
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more_body = message.get("more_body", False)

        body: Message | None = {"type": "http.request", "body": b"".join(chunks)}

        async def replay_body() -> Message:
            nonlocal body
            if body is None:
                return await receive()
            message, body = body, None
            return message

        await self.app(scope, replay_body, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.request_log is not None and scope["path"] == "/predict":
            self.request_log.add(413, 0, 0, time.perf_counter())
        detail = f"request body is larger than MAX_BODY_BYTES ({self.max_bytes} bytes)"
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)


class OneLineStartupFailure:
    """Report a bundle that cannot be served as one log line, not a traceback.

    Starlette reports a failed start-up with the formatted traceback; a
    ``BundleError`` already says which file is at fault and what to do, so its
    message is what the server logs. The error is raised on, so the server still
    exits non-zero (and ``TestClient`` still raises it).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        held: list[Message] = []

        async def hold_startup_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_startup_failure)
        except BundleError as error:
            message = f"cannot start: {error}"
            await send({"type": "lifespan.startup.failed", "message": message})
            raise
        except BaseException:
            for message in held:
                await send(message)
            raise
