"""Deriving the stand-off texts from the origin files with the recipes, and writing them like ``--from`` does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.console import Console

from model.errors import UserError
from model.standoff import read_records, write_texts
from origins.download import DEFAULT_TIMEOUT, download
from origins.manifest import MANIFEST, RECIPES_DIR, OriginFile, read_local_origin, read_manifest
from origins.normalise import normalised
from origins.recipe import Recipe, apply_recipe, read_recipes


def recipes_file(standoff_file: Path, recipes_dir: Path = RECIPES_DIR) -> Path:
    return recipes_dir / standoff_file.name


def fetch_from_origins(
    standoff_files: Iterable[Path],
    texts_dir: Path,
    origins_dir: Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    recipes_dir: Path = RECIPES_DIR,
    manifest: Path = MANIFEST,
    say: Callable[[str], None] = print,
    console: Console | None = None,
) -> dict[str, int]:
    """Derive and write the texts of every stand-off file that has recipes; returns texts written per file.

    The origin files come from ``origins_dir`` (a local copy laid out like
    ``../shared/corpus-origins``) or, when it is None, are downloaded from their
    public URLs. Every origin file is checked against its pinned sha256, every
    derived text against its stand-off record; nothing is written unless all pass.
    A stand-off file without recipes is left out with a note.
    """
    if origins_dir is not None and not origins_dir.is_dir():
        raise UserError(f"{origins_dir}: no such folder")
    planned = _planned_recipes(standoff_files, recipes_dir, say)
    if not planned:
        return {}
    origins = read_manifest(manifest)
    needed = _needed_origins(planned, origins, manifest)
    if origins_dir is None:
        data = download(needed, timeout, console)
        where = "the downloaded origins"
    else:
        data = {origin.file: read_local_origin(origins_dir, origin) for origin in needed}
        where = f"the origins in {origins_dir}"
    texts = {origin.file: normalised(data[origin.file], origin.normalise, origin.file) for origin in needed}
    available = {
        record["id"]: {"text": apply_recipe(recipe, texts[recipe.file]), "meta": record.get("meta", {})}
        for pairs in planned.values() for record, recipe in pairs
    }
    return write_texts(available, where, texts_dir, planned)


def _planned_recipes(standoff_files: Iterable[Path], recipes_dir: Path,
                     say: Callable[[str], None]) -> dict[Path, list[tuple[dict[str, Any], Recipe]]]:
    """Each stand-off file that has recipes -> its records paired with their recipes."""
    planned = {}
    for standoff in standoff_files:
        path = recipes_file(standoff, recipes_dir)
        if not path.exists():
            say(f"note: {standoff.name} has no recipes ({path}); its texts are not derived (use --from DIR)")
            continue
        recipes = read_recipes(path)
        pairs = []
        for record in read_records(standoff):
            recipe = recipes.get(record["id"])
            if recipe is None or recipe.sha256 != record["sha256"]:
                what = "no recipe" if recipe is None else "a recipe for another version of its text (sha256 differs)"
                raise UserError(f"{standoff.name}: '{record['id']}' has {what} in {path}; "
                                "rebuild the recipes with 'arabic-events corpus recipes'")
            pairs.append((record, recipe))
        planned[standoff] = pairs
    return planned


def _needed_origins(planned: dict[Path, list[tuple[dict[str, Any], Recipe]]],
                    origins: dict[str, OriginFile], manifest: Path) -> list[OriginFile]:
    files = sorted({recipe.file for pairs in planned.values() for _, recipe in pairs})
    unknown = [f for f in files if f not in origins]
    if unknown:
        raise UserError(f"{manifest}: no origin file '{unknown[0]}', which the recipes use")
    return [origins[f] for f in files]
