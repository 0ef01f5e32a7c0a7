"""Robustness of the running service: fuzzed bodies, and load with real articles."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, comparable

pytestmark = pytest.mark.slow

ARTICLES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"text": st.text(max_size=300)}, optional={"id": json_values}).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"text": json_values}).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
    st.sampled_from([b"", b"{", b'{"text": "\\ud800"}', b'{"text": "' + "ق".encode() * 99_000 + b'"}',
                     b'{"text": "' + "ق".encode() * 100_001 + b'"}', b'{"articles": "x"}']),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, path=st.sampled_from(["/extract", "/extract_batch"]))
def test_fuzzed_bodies_never_get_a_5xx(server, body, path):
    response = httpx.post(f"{server.url}{path}", content=body, headers={"content-type": "application/json"}, timeout=120)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert isinstance(response.json()["error"], str) and response.json()["error"]


def test_server_is_still_up_after_the_fuzzing(server):
    assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
    assert server.process.poll() is None


def test_load_two_hundred_requests_from_twenty_clients_match_sequential_results(server):
    def call(article):
        response = httpx.post(f"{server.url}/extract", json={"text": article["text"], "id": article["id"]}, timeout=300)
        return response.status_code, response.json()

    sequential = {a["id"]: comparable(call(a)[1]) for a in ARTICLES}
    requests = [ARTICLES[i % len(ARTICLES)] for i in range(200)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(call, requests))
    assert [status for status, _ in results] == [200] * 200
    for article, (_, result) in zip(requests, results):
        assert result["id"] == article["id"]
        assert comparable(result) == sequential[article["id"]]
