"""A Python client generated from the running service's ``/docs.json`` tags articles with typed results.

The generator (openapi-python-client) runs from a virtual environment of its own, so that its
dependencies never touch the project's pins; the environment is kept under the temporary
folder and reused. The generated package needs only httpx, attrs and python-dateutil, which the
project's environment has, so the test imports it. Marked ``generated_client``: ``make test``
leaves it out (a fresh environment takes over a minute to install), ``.ci/run`` runs it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import httpx
import pytest

from tests.test_service import ARTICLES

pytestmark = [pytest.mark.slow, pytest.mark.generated_client]

GENERATOR = "openapi-python-client==0.29.1"
CACHE = Path(os.environ.get("ARABIC_EVENTS_TEST_CACHE", Path(tempfile.gettempdir()) / "arabic-events-test-cache"))
PACKAGE = "arabic_events_client"


def generator_python() -> Path:
    """The Python of a virtual environment that has ``GENERATOR``, made once (built aside, then moved in place)."""
    home = CACHE / GENERATOR.replace("==", "-")
    python = home / "bin" / "python"
    if not python.exists():
        partial = home.with_name(f"{home.name}.partial-{os.getpid()}")
        venv.create(partial, with_pip=True, clear=True)
        subprocess.run([partial / "bin" / "python", "-m", "pip", "install", "--quiet", GENERATOR], check=True,
                       capture_output=True, timeout=900)
        try:
            partial.rename(home)
        except OSError:  # another run finished first
            shutil.rmtree(partial)
    return python


@pytest.fixture(scope="module")
def client_package(server, tmp_path_factory):
    """The client generated from the served document, imported from a temporary folder."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "document.json").write_bytes(httpx.get(f"{server.url}/docs.json", timeout=30).content)
    (folder / "config.yaml").write_text("post_hooks: []\n")  # the default runs ruff, which that environment lacks
    result = subprocess.run(
        [generator_python(), "-m", "openapi_python_client", "generate", "--path", "document.json", "--meta", "none",
         "--output-path", PACKAGE, "--config", "config.yaml"],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0 and "Warning" not in result.stdout, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def assert_typed_offsets_hold(text, result):
    assert result.spans and result.events
    for span in result.spans:
        assert text[span.start : span.end] == span.text
        assert 0 <= span.score <= 1
    for event in result.events:
        if event.trigger is not None:
            assert text[event.trigger.start : event.trigger.end] == event.trigger.text
        for argument in event.arguments:
            assert text[argument.start : argument.end] == argument.text


def test_extract_through_the_generated_client(server, client_package):
    from arabic_events_client import Client
    from arabic_events_client.api.events import extract
    from arabic_events_client.models import EventType, ExtractInput, ExtractResult, SpanLabel

    article = ARTICLES[4]
    with Client(base_url=server.url, timeout=httpx.Timeout(120)) as client:
        result = extract.sync(client=client, body=ExtractInput(text=article["text"], id=article["id"]))
    assert isinstance(result, ExtractResult)
    assert result.id == "seed-004" and result.model.backbone == "tiny:"
    assert len(result.sentences) == 13
    assert all(isinstance(span.label, SpanLabel) for span in result.spans)
    assert all(isinstance(event.type_, EventType) for event in result.events)
    assert_typed_offsets_hold(article["text"], result)


def test_extract_batch_through_the_generated_client(server, client_package):
    from arabic_events_client import Client
    from arabic_events_client.api.events import extract_batch
    from arabic_events_client.models import Article, BatchResult, ExtractBatchInput

    articles = ARTICLES[:3]
    body = ExtractBatchInput(articles=[Article(text=a["text"], id=a["id"]) for a in articles])
    with Client(base_url=server.url, timeout=httpx.Timeout(120)) as client:
        batch = extract_batch.sync(client=client, body=body)
    assert isinstance(batch, BatchResult)
    assert [r.id for r in batch.results] == [a["id"] for a in articles]
    for article, result in zip(articles, batch.results):
        for span in result.spans:
            assert article["text"][span.start : span.end] == span.text


def test_records_through_the_generated_client(server, client_package):
    import datetime as dt

    from arabic_events_client import Client
    from arabic_events_client.api.events import records
    from arabic_events_client.models import EventType, Record, RecordArticle, RecordsInput, RecordsResult

    article = ARTICLES[4]
    body = RecordsInput(articles=[RecordArticle(text=article["text"], id=article["id"], date="2024-01-23",
                                                source="Enab Baladi")])
    with Client(base_url=server.url, timeout=httpx.Timeout(120)) as client:
        result = records.sync(client=client, body=body)
    assert isinstance(result, RecordsResult) and result.records
    for record in result.records:
        assert isinstance(record, Record) and isinstance(record.event_type, EventType)
        assert record.event_id.startswith("ev-") and record.sources[0].date == dt.date(2024, 1, 23)
        for mention in record.mentions:
            assert mention.article_id == "seed-004"
            assert article["text"][mention.start : mention.end] == mention.text

def test_a_rejection_reaches_the_client_as_a_typed_error(server, client_package):
    from arabic_events_client import Client
    from arabic_events_client.api.events import extract
    from arabic_events_client.models import ErrorBody, ExtractInput

    with Client(base_url=server.url) as client:
        response = extract.sync_detailed(client=client, body=ExtractInput(text="ب" * 100_001))
    assert response.status_code == 413
    assert isinstance(response.parsed, ErrorBody)
    assert response.parsed.error == "text has 100001 characters; the limit is 100000"
