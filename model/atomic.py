"""Writing files so that a failure never leaves a half-written file or changes an existing one.

Every command that writes checks its outputs first with ``check_output`` (a file) or
``check_output_dir`` (a folder), before any slow work, so that a user learns in one line,
not after minutes of tagging, that an output would overwrite an input, replace a device
or cannot be created. ``-`` as an output file means standard output.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from model.errors import UserError

STDOUT = "-"


def is_stdout(path: Path | str) -> bool:
    return str(path) == STDOUT


def _probe_folder(folder: Path, what: Path) -> None:
    """Create and remove an empty temporary file in ``folder``: the only sure test that a rename can land there."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UserError(f"{what}: cannot write in {folder} ({exc.strerror})") from None
    os.close(fd)
    os.unlink(probe)


def check_output(path: Path | str, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output file that cannot be written safely; ``-`` (standard output) is always fine.

    Refused: one of ``inputs`` (it would be overwritten before or while it is read), an existing
    folder, device, pipe or socket (a rename would replace it with a regular file), a path whose
    folder is missing or does not accept new files.
    """
    if is_stdout(path):
        return
    path = Path(path)
    folder = _replaceable_file_folder(path)
    for source in inputs:
        if path.exists() and Path(source).exists() and os.path.samefile(path, source):
            raise UserError(f"{path}: is also an input; write the output to another file")
    _probe_folder(folder, path)


def check_distinct_outputs(outputs: Mapping[str, Path | str | None]) -> None:
    """Refuse two outputs of one command (option name -> path; ``None``: not given) that are one file under
    any spelling, or both standard output: the second write would replace the first."""
    seen: dict[str, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        key = "-" if is_stdout(path) else os.path.realpath(path)
        if key in seen:
            raise UserError(f"{path}: given to both {seen[key]} and {option}; give each its own file")
        seen[key] = option


def _replaceable_file_folder(path: Path) -> Path:
    """The folder the file at ``path`` (a symbolic link followed) is written in, if a rename may replace it."""
    if path.exists():
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{path}: is a directory, expected a file name")
        if not stat.S_ISREG(mode):
            raise UserError(f"{path}: not a regular file; refusing to replace it (use '-o -' for standard output)")
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        raise UserError(f"{path.parent}: no such directory")
    return folder


def check_output_dir(path: Path | str) -> None:
    """Refuse an output folder that is a file, or whose nearest existing ancestor does not accept new files.

    Nothing is created: a run that fails later leaves no empty folder behind.
    """
    if is_stdout(path):
        raise UserError("'-' is not a folder: this output is a folder of files")
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{existing}: exists and is not a folder")
    _probe_folder(existing, path)


def make_output_dir(path: Path) -> None:
    """Create the (checked) output folder and its parents."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{path}: cannot create this folder ({exc.strerror})") from None


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    ``-`` writes to standard output. A symbolic link is followed: the file it points at is replaced.
    """
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = _replaceable_file_folder(Path(path)) / Path(os.path.realpath(path)).name
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write in {target.parent} ({exc.strerror})") from None
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write ({exc.strerror}); nothing was changed") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def dumps_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_jsonl(path: Path | str, records: Iterable[dict[str, Any]]) -> None:
    atomic_write_text(path, dumps_jsonl(records))
