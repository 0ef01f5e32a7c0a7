"""The origin files the recipes derive texts from: where each is published and its pinned sha256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from model.errors import UserError
from model.standoff import STANDOFF_DIR

RECIPES_DIR = STANDOFF_DIR / "origins"
MANIFEST = RECIPES_DIR / "manifest.json"


@dataclass(frozen=True)
class OriginFile:
    """One file of a public repository at a pinned commit.

    ``file`` is its place in a local copy of the origins (laid out like
    ``../shared/corpus-origins``) and the name recipes refer to it by.
    ``normalise`` names the step applied before the recipes' offsets (see
    ``origins.normalise``), or is None when offsets refer to the file as it is.
    """

    file: str
    repo: str
    commit: str
    path: str
    url: str
    sha256: str
    bytes: int
    normalise: str | None = None

    def check(self, data: bytes, where: str) -> None:
        """Raise unless ``data`` is this file byte for byte."""
        actual = hashlib.sha256(data).hexdigest()
        if actual != self.sha256:
            raise UserError(
                f"{where}: sha256 {actual[:12]}… ({len(data):,} bytes), the recipes were made from "
                f"{self.sha256[:12]}… ({self.bytes:,} bytes) of {self.repo} at {self.commit[:12]}"
            )


def read_manifest(path: Path = MANIFEST) -> dict[str, OriginFile]:
    """file -> OriginFile, from the manifest JSON (``{"files": [...]}``)."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {entry["file"]: OriginFile(**entry) for entry in entries}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: cannot read the origins manifest ({exc})") from None


def read_local_origin(origins_dir: Path, origin: OriginFile) -> bytes:
    """The bytes of ``origin`` in a local copy of the origins, checked against the manifest."""
    path = origins_dir / origin.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}); {origins_dir} should hold {origin.file} "
                        f"({origin.url})") from None
    origin.check(data, str(path))
    return data
