"""The ASGI app mounted beside the API: the page at ``/``, its files under ``/static/``, ``GET /metadata``
and the service's other GET routes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def make_page_app(metadata: dict[str, Any], routes: Sequence[Route] = ()) -> Starlette:
    """The page, its API docs and ``GET /metadata``, and any other GET ``routes`` of the service.

    The page's own files (its offline base map) are under ``/static/``: the content type from the
    file's suffix, 404 for a name that is not there."""
    async def index(_: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def docs(_: Request) -> FileResponse:
        # BentoML's own OpenAPI page lives at "/", where the product's page is; this one
        # shows the same /docs.json with BentoML's bundled Swagger UI, and loads nothing external.
        return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")

    async def describe(_: Request) -> JSONResponse:
        return JSONResponse(metadata)

    return Starlette(routes=[Route("/", index), Route("/docs", docs), Route("/metadata", describe),
                             Mount("/static", StaticFiles(directory=STATIC), name="static"), *routes])
