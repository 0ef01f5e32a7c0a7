"""Whether the service can listen where its settings say, checked before the server starts."""

from __future__ import annotations

import errno
import socket

from model.errors import UserError


def check_port_free(host: str, port: int) -> None:
    """One line naming the problem when ``host:port`` cannot be listened on (most often: it is in use).

    The test binds a socket the way the server does (``SO_REUSEADDR``, so connections still
    closing from an earlier run do not count) and lets it go at once.
    """
    if not 0 < port < 65536:
        raise UserError(f"port {port} is not a TCP port (1-65535); set ARABIC_EVENTS_PORT")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise UserError(f"cannot listen on host '{host}' ({exc.strerror}); set ARABIC_EVENTS_HOST") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(
                    f"port {port} on {host} is already in use (another server?); choose another port with "
                    f"ARABIC_EVENTS_PORT, e.g. ARABIC_EVENTS_PORT={port + 1} arabic-events serve"
                ) from None
            raise UserError(f"cannot listen on {host}:{port} ({exc.strerror}); set ARABIC_EVENTS_HOST or ARABIC_EVENTS_PORT") from None
