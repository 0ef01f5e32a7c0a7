"""What BentoML leaves to us at the HTTP edge: a request-size limit and a readable log."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimit:
    """Answer 413 before the application reads a body over the limit, chunked uploads included.

    ``limits`` maps a path to its byte limit; other paths get ``default``. A
    body within the limit is buffered and replayed to the application as one
    message.
    """

    def __init__(self, app: Callable, limits: dict[str, int], default: int):
        self.app = app
        self.limits = limits
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"].rstrip("/") or "/", self.default)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(send, limit)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await self._too_large(send, limit)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _too_large(send: Send, limit: int) -> None:
        body = json.dumps({"error": f"request body is larger than the limit of {limit} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class OneLineRejections(logging.Filter):
    """BentoML logs a full traceback for every request that fails input validation; keep one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            if type(error).__name__ == "ValidationError":
                path = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
                record.msg = "rejected %s: %s"
                record.args = (path, str(error).splitlines()[0])
                record.exc_info = None
                record.exc_text = None
                record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def install_log_filter() -> None:
    logging.getLogger("bentoml._internal.server.http_app").addFilter(OneLineRejections())


class SpecificValidationErrors:
    """Rewrite BentoML's generic "N validation error for ..." 400 body into the fields and reasons.

    ``{"error": "1 validation error for Input", "detail": [{"loc": ["text"], "msg": "Field required"}]}``
    becomes ``{"error": "text: Field required", "detail": [...]}``.
    """

    def __init__(self, app: Callable):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] == 400:
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            try:
                data = json.loads(body)
                details = data["detail"]
                data["error"] = "; ".join(
                    f"{'.'.join(str(p) for p in d.get('loc', [])) or 'body'}: {d.get('msg', 'invalid')}" for d in details
                )
                body = json.dumps(data, ensure_ascii=False).encode()
            except (ValueError, KeyError, TypeError, AttributeError):
                pass
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


class ServeDocument:
    """Answer ``GET path`` with ``document()`` as JSON, built on the first request and kept.

    The service's OpenAPI document is BentoML's finished by ``serving.openapi``; this puts it
    where BentoML serves its own (``/docs.json``).
    """

    def __init__(self, app: Callable, path: str, document: Callable[[], dict[str, Any]]):
        self.app = app
        self.path = path
        self.document = document
        self.body: bytes | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if self.body is None:
            self.body = json.dumps(self.document(), ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(self.body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else self.body})


class JsonErrors:
    """Give 404 and 405 answers (plain text from Starlette) the ``{"error": ...}`` body of every other error."""

    def __init__(self, app: Callable):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message["status"] in (404, 405):
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"application/json"):
                    start = message
                    return
            if start is None:
                await send(message)
                return
            if message.get("more_body", False):
                return
            headers = dict(start.get("headers") or [])
            body = json.dumps({"error": self.message(scope, start["status"], headers)}).encode()
            kept = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-type", b"content-length")]
            await send({**start, "headers": [*kept, (b"content-type", b"application/json"),
                                             (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)

    @staticmethod
    def message(scope: Scope, status: int, headers: dict[bytes, bytes]) -> str:
        if status == 404:
            return f"no such path: {scope['path']}"
        allowed = headers.get(b"allow", b"").decode()
        return f"{scope['method']} is not allowed on {scope['path']}" + (f"; use {allowed}" if allowed else "")
