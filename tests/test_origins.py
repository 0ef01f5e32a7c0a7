"""Deriving the stand-off texts from their public origins: recipes, normalisation, download, fetch."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from model.corpus_io import read_documents
from model.errors import UserError
from model.standoff import STANDOFF_DIR, read_records
from model.validation import validate_files
from origins.build import build_recipes
from origins.derive import fetch_from_origins
from origins.download import download
from origins.manifest import RECIPES_DIR, OriginFile, read_manifest
from origins.normalise import normalised, wikinews
from origins.recipe import apply_recipe, build_recipe, read_recipes, write_recipes

from tests.conftest import FIXTURES, ROOT

SHARED_ORIGINS = ROOT.parent / "shared" / "corpus-origins"
SHARED_EXTRA = ROOT.parent / "shared" / "corpus-extra"
needs_origins = pytest.mark.skipif(
    not SHARED_ORIGINS.is_dir(), reason=f"{SHARED_ORIGINS} (the local copy of the origin files) is absent"
)
STANDOFF_FILES = sorted(STANDOFF_DIR.glob("*.jsonl"))

FIXTURE_ORIGINS = FIXTURES / "origins"
FIXTURE_PAGE = "fixture/news/page.md"
FIXTURE_STANDOFF = FIXTURES / "standoff" / "extra.jsonl"
FIXTURE_TEXTS = {r["id"]: r["text"] for r in read_records(FIXTURES / "standoff" / "source" / "extra.jsonl")}


# --- recipes --------------------------------------------------------------------------------------

def test_a_text_found_whole_in_its_origin_is_one_range():
    page = (FIXTURE_ORIGINS / FIXTURE_PAGE).read_text(encoding="utf-8")
    recipe = build_recipe("ex-2", FIXTURE_TEXTS["ex-2"], page, FIXTURE_PAGE)
    assert recipe.edits == ((182, 240),)
    assert apply_recipe(recipe, page) == FIXTURE_TEXTS["ex-2"]


def test_a_link_glued_to_the_next_word_becomes_two_ranges_and_one_inserted_space():
    origin = "[سوق المدينة](http://x.org)صباح الأحد"
    recipe = build_recipe("ex-3", "سوق المدينة صباح الأحد", origin, "f")
    assert recipe.edits == ((1, 12), " ", (27, 37))
    assert apply_recipe(recipe, origin) == "سوق المدينة صباح الأحد"


def test_the_builder_refuses_a_recipe_that_would_carry_text():
    origin = "قصفت طائرات حربية سوق المدينة."
    with pytest.raises(UserError, match=r"^recipe of 'ex-1' would insert 11 characters \(longest run 11\);"):
        build_recipe("ex-1", "قصفت طائرات حربية سوق المدينة صباح الأحد.", origin, "f")


def test_a_recipes_file_carrying_text_is_refused_when_read(tmp_path):
    path = tmp_path / "extra.jsonl"
    recipe = {"id": "ex-1", "file": "f", "sha256": "0" * 64, "edits": [[0, 4], " طائرات"]}
    path.write_text(json.dumps(recipe) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"^recipe of 'ex-1' would insert 7 characters \(longest run 7\);"):
        read_recipes(path)


def test_the_committed_recipes_insert_only_the_eight_characters_the_pages_lack():
    inserted = [e for path in RECIPES_DIR.glob("*.jsonl") for r in read_recipes(path).values()
                for e in r.edits if isinstance(e, str)]
    assert sorted(inserted) == sorted([" "] * 6 + ["لأ"])


# --- normalisation -------------------------------------------------------------------------------

def test_the_wikinews_normaliser_drops_diacritics_tatweel_spacing_and_empty_lines():
    diacritised = "قَصَفَتْ  الطائرات\u00a0 المدينةَ \n\n  \t\nثم ـــ عادت\t\n"
    assert wikinews(diacritised) == "قصفت الطائرات المدينة\nثم عادت"


def test_an_origin_that_is_not_utf8_is_one_error():
    with pytest.raises(UserError, match=r"^f\.txt: not UTF-8"):
        normalised(b"\xff\xfe", None, "f.txt")


# --- the real origins (../shared/corpus-origins) ---------------------------------------------------

@needs_origins
def test_all_94_standoff_texts_derive_from_the_origins_with_their_sha256(tmp_path):
    written = fetch_from_origins(STANDOFF_FILES, tmp_path, SHARED_ORIGINS)
    assert written == {path.name: len(read_records(path)) for path in STANDOFF_FILES}
    assert (written["syrian-archive.jsonl"], written["wikinews-ar.jsonl"]) == (24, 70)
    _, problems = validate_files(STANDOFF_FILES, tmp_path)
    assert [str(p) for p in problems] == []


@needs_origins
def test_every_un_sentence_derives_as_its_line_of_the_un_test_sets():
    recipes = read_recipes(RECIPES_DIR / "unpc-2015.jsonl")
    files = {"dev": "unpc/UNv1.0.devset.ar", "test": "unpc/UNv1.0.testset.ar"}
    origins = {file: (SHARED_ORIGINS / file).read_text(encoding="utf-8") for file in files.values()}
    lines = {file: origin.split("\n") for file, origin in origins.items()}
    assert len(recipes) == 628
    for recipe in recipes.values():
        _, which, number = recipe.id.split("-")  # un-dev-0007: line 7 of the devset
        assert recipe.file == files[which]
        text = apply_recipe(recipe, origins[recipe.file])
        assert text == lines[recipe.file][int(number) - 1].strip()
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == recipe.sha256


@needs_origins
def test_the_builder_makes_the_committed_wikinews_recipes(tmp_path):
    source, out = tmp_path / "texts", tmp_path / "recipes"
    source.mkdir()
    shutil.copy(SHARED_EXTRA / "wikinews-ar.jsonl", source)
    assert build_recipes(SHARED_ORIGINS, source, out, say=lambda _: None) == {"wikinews-ar.jsonl": 70}
    assert (out / "wikinews-ar.jsonl").read_text() == (RECIPES_DIR / "wikinews-ar.jsonl").read_text()


@needs_origins
def test_a_local_origin_that_differs_from_the_pinned_file_is_refused_and_nothing_written(tmp_path):
    copy = tmp_path / "origins"
    shutil.copytree(SHARED_ORIGINS, copy)
    changed = copy / "farasa" / "WikiNewsTruth.txt"
    changed.chmod(0o644)
    changed.write_bytes(changed.read_bytes() + b"\n")  # even a change the normaliser would undo
    with pytest.raises(UserError, match=rf"^{changed}: sha256 .*the recipes were made from 179718bbc88b"):
        fetch_from_origins(STANDOFF_FILES, tmp_path / "texts", copy)
    assert not (tmp_path / "texts").exists()


def test_a_standoff_file_without_recipes_is_left_out_with_a_note(tmp_path):
    notes = []
    assert fetch_from_origins([FIXTURE_STANDOFF], tmp_path / "texts", FIXTURE_ORIGINS, say=notes.append) == {}
    assert notes == [f"note: extra.jsonl has no recipes ({RECIPES_DIR / 'extra.jsonl'}); "
                     "its texts are not derived (use --from DIR)"]


# --- download from a loopback HTTP server ---------------------------------------------------------

class _Origins(BaseHTTPRequestHandler):
    """Serves the fixture page at its path, a changed copy at /changed, nothing at all at /slow."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        page = (FIXTURE_ORIGINS / FIXTURE_PAGE).read_bytes()
        if self.path == "/slow":
            time.sleep(3)
        bodies = {f"/{FIXTURE_PAGE}": page, "/changed": page.replace("12".encode(), "21".encode())}
        body = bodies.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Origins)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _fixture_origin(url: str) -> OriginFile:
    data = (FIXTURE_ORIGINS / FIXTURE_PAGE).read_bytes()
    return OriginFile(file=FIXTURE_PAGE, repo="arabic-events/fixtures", commit="0" * 40, path="news/page.md",
                      url=url, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))


def test_download_gives_the_pinned_file(origin_server):
    origin = _fixture_origin(f"{origin_server}/{FIXTURE_PAGE}")
    assert download([origin]) == {FIXTURE_PAGE: (FIXTURE_ORIGINS / FIXTURE_PAGE).read_bytes()}


def test_download_refuses_bytes_that_are_not_the_pinned_file(origin_server):
    origin = _fixture_origin(f"{origin_server}/changed")
    expected = rf"^{origin_server}/changed: sha256 \w+… \(383 bytes\), the recipes were made from"
    with pytest.raises(UserError, match=expected):
        download([origin])


def test_download_of_a_missing_file_is_one_line_naming_the_url(origin_server):
    origin = _fixture_origin(f"{origin_server}/gone.md")
    with pytest.raises(UserError) as caught:
        download([origin])
    assert str(caught.value) == f"cannot download {origin_server}/gone.md: HTTP 404 Not Found"


def test_download_gives_up_after_the_timeout(origin_server):
    origin = _fixture_origin(f"{origin_server}/slow")
    started = time.monotonic()
    with pytest.raises(UserError, match=rf"^cannot download {origin_server}/slow: no answer within 0.5 s; "):
        download([origin], timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_fetch_downloads_derives_and_joins_the_texts(origin_server, tmp_path):
    manifest, recipes = tmp_path / "manifest.json", tmp_path / "recipes"
    origin = _fixture_origin(f"{origin_server}/{FIXTURE_PAGE}")
    manifest.write_text(json.dumps({"files": [asdict(origin)]}), encoding="utf-8")
    page = (FIXTURE_ORIGINS / FIXTURE_PAGE).read_text(encoding="utf-8")
    recipes.mkdir()
    write_recipes(recipes / "extra.jsonl", [build_recipe(i, t, page, FIXTURE_PAGE) for i, t in FIXTURE_TEXTS.items()])
    written = fetch_from_origins([FIXTURE_STANDOFF], tmp_path / "texts", recipes_dir=recipes, manifest=manifest)
    assert written == {"extra.jsonl": 2}
    first, _ = read_documents(FIXTURE_STANDOFF, texts_dir=tmp_path / "texts")
    assert [first.span_text(s) for s in first.spans][:3] == ["قصفت", "طائرات حربية", "سوق المدينة"]


def _internet() -> bool:
    try:
        socket.create_connection(("raw.githubusercontent.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(_internet(), reason="this machine reaches raw.githubusercontent.com; the test is for offline ones")
def test_fetch_offline_ends_in_one_line_naming_the_url_and_writes_nothing(tmp_path):
    command = [sys.executable, "-m", "arabic_events", "corpus", "fetch", "--texts", str(tmp_path / "texts")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    first = min(r.file for path in STANDOFF_FILES if (RECIPES_DIR / path.name).exists()
                for r in read_recipes(RECIPES_DIR / path.name).values())
    url = read_manifest()[first].url
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot download {url}: ")
    assert line.endswith("give a local copy: --origins DIR (the origin files) or --from DIR (the texts)")
    assert not (tmp_path / "texts").exists()

