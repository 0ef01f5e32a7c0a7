"""Downloading origin files from their public URLs, each once, each checked against its pinned sha256."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import httpx
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from model.errors import UserError
from origins.manifest import OriginFile

DEFAULT_TIMEOUT = 30.0
OFFLINE_HINT = "without internet, give a local copy: --origins DIR (the origin files) or --from DIR (the texts)"


def download(files: Sequence[OriginFile], timeout: float = DEFAULT_TIMEOUT,
             console: Console | None = None) -> dict[str, bytes]:
    """file -> bytes of every origin in ``files``, downloaded from its URL with a progress bar.

    ``timeout`` (seconds) bounds connecting and each wait for data. Any failure
    (no network, an HTTP error, a timeout, bytes that are not the pinned file)
    is a UserError of one line naming the URL; nothing is returned partially.
    """
    progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                        console=console or Console(stderr=True), transient=True)
    task = progress.add_task("origin files", total=sum(f.bytes for f in files))
    downloaded: dict[str, bytes] = {}
    with progress, httpx.Client(timeout=timeout, follow_redirects=True) as client:
        for origin in files:
            progress.update(task, description=origin.file.rsplit("/", 1)[-1])
            downloaded[origin.file] = _get(client, origin, timeout, lambda n: progress.advance(task, n))
        progress.update(task, description=f"{len(files)} origin files")
    return downloaded


def _get(client: httpx.Client, origin: OriginFile, timeout: float, advance: Callable[[int], None]) -> bytes:
    try:
        with client.stream("GET", origin.url) as response:
            if response.status_code != 200:
                raise UserError(f"cannot download {origin.url}: HTTP {response.status_code} {response.reason_phrase}")
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                advance(len(chunk))
    except httpx.TimeoutException:
        raise UserError(f"cannot download {origin.url}: no answer within {timeout:g} s; {OFFLINE_HINT}") from None
    except httpx.TransportError as exc:
        raise UserError(f"cannot download {origin.url}: {exc or type(exc).__name__}; {OFFLINE_HINT}") from None
    data = b"".join(chunks)
    origin.check(data, origin.url)
    return data
