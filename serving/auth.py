"""A token for the routes that change state, once the service can be reached from beyond this machine.

The routes that write files or start work (``/annotations``, ``/webhook``, ``/train``) require the
token in ``ARABIC_EVENTS_API_TOKEN`` when the service listens on an address other than loopback,
when a request comes from beyond loopback (the service was bound elsewhere than its settings
say), or whenever a token is set. It is accepted the ways Label Studio sends an ML backend's
credentials: ``Authorization: Bearer <token>`` (or ``Token <token>``), or basic auth with any user
name and the token as password. Without it: 401 and ``{"error": ...}``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterable

from serving.middleware import Message, Receive, Scope, Send

TOKEN_VARIABLE = "ARABIC_EVENTS_API_TOKEN"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def presented_token(authorization: str) -> str | None:
    """The token in an ``Authorization`` header value: bearer/token scheme, or basic auth's password."""
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() in ("bearer", "token"):
        return credentials.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, separator, password = decoded.partition(":")
        return password if separator else None
    return None


def refusal(listening_host: str, client_host: str | None, token: str | None, authorization: str | None) -> str | None:
    """Why a state-changing request is refused, or None when it may go ahead."""
    beyond_loopback = not is_loopback(listening_host) or (client_host is not None and not is_loopback(client_host))
    if not token:
        if beyond_loopback:
            return (f"this route changes state and the service is reachable beyond loopback: "
                    f"set {TOKEN_VARIABLE} on the server and send it as a bearer token or basic-auth password")
        return None
    given = presented_token(authorization) if authorization else None
    if given is None:
        return f"this route needs the API token ({TOKEN_VARIABLE}) as a bearer token or basic-auth password"
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return "the API token is wrong"
    return None


class TokenRequired:
    """ASGI middleware: 401 for requests to ``paths`` that ``refusal`` refuses."""

    def __init__(self, app: Callable, paths: Iterable[str], host: str, token: str | None):
        self.app = app
        self.paths = frozenset(paths)
        self.host = host
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"].rstrip("/") or "/") in self.paths:
            headers = dict(scope.get("headers") or [])
            authorization = headers.get(b"authorization")
            client = scope.get("client")
            reason = refusal(self.host, client[0] if client else None, self.token,
                             authorization.decode("latin-1") if authorization else None)
            if reason:
                await self._unauthorized(send, reason)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _unauthorized(send: Send, reason: str) -> None:
        body = json.dumps({"error": reason}).encode()
        start: Message = {"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="arabic-events", Basic realm="arabic-events"'),
        ]}
        await send(start)
        await send({"type": "http.response.body", "body": body})
