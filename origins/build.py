"""Building the recipes from a local copy of the origins and the texts themselves (``corpus recipes``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from model.errors import UserError
from model.standoff import read_records
from model.wording import counted
from origins.manifest import MANIFEST, RECIPES_DIR, OriginFile, read_local_origin, read_manifest
from origins.normalise import normalised
from origins.recipe import Recipe, build_recipe, write_recipes


def build_recipes(
    origins_dir: Path,
    source_dir: Path,
    out_dir: Path = RECIPES_DIR,
    *,
    manifest: Path = MANIFEST,
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Write one recipes file per texts file of ``source_dir``; returns recipes written per file.

    ``source_dir`` holds JSONL files of ``{"id", "text", "meta"}`` (such as
    ``../shared/corpus-extra``); each text's origin is the manifest entry with
    its ``meta.commit`` and ``meta.path``, read from ``origins_dir``. Nothing is
    written unless every text gets a recipe that derives it exactly.
    """
    for folder in (origins_dir, source_dir):
        if not folder.is_dir():
            raise UserError(f"{folder}: no such folder")
    by_source = {(o.commit, o.path): o for o in read_manifest(manifest).values()}
    origin_texts: dict[str, str] = {}
    built: dict[str, list[Recipe]] = {}
    for texts_file in sorted(source_dir.glob("*.jsonl")):
        recipes = []
        for record in read_records(texts_file):
            if not (isinstance(record, dict) and all(isinstance(record.get(k), str) for k in ("id", "text"))):
                raise UserError(f"{texts_file}: a line is not a text {{id, text, meta}}: {str(record)[:80]}")
            meta = record.get("meta") or {}
            origin = by_source.get((meta.get("commit"), meta.get("path")))
            if origin is None:
                raise UserError(f"{texts_file.name}: '{record.get('id')}' comes from {meta.get('path')} at "
                                f"{meta.get('commit')}, which is not in {manifest}")
            if origin.file not in origin_texts:
                origin_texts[origin.file] = _origin_text(origins_dir, origin)
            recipes.append(build_recipe(record["id"], record["text"], origin_texts[origin.file], origin.file))
        say(f"{texts_file.name}: {counted(len(recipes), 'recipe')}, "
            f"{counted(sum(len(r.edits) for r in recipes), 'edit')}, {counted(_inserted(recipes), 'inserted character')}")
        built[texts_file.name] = recipes
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, recipes in built.items():
        write_recipes(out_dir / name, recipes)
    return {name: len(recipes) for name, recipes in built.items()}


def _origin_text(origins_dir: Path, origin: OriginFile) -> str:
    return normalised(read_local_origin(origins_dir, origin), origin.normalise, origin.file)


def _inserted(recipes: list[Recipe]) -> int:
    return sum(len(e) for r in recipes for e in r.edits if isinstance(e, str))
