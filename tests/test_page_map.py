"""The page's records map: its base map derived from Natural Earth, served by the page's app, and a page
that loads nothing from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from serving.basemap import decode_arcs, path_data, ring_points, unwrapped
from serving.page import STATIC, make_page_app


@pytest.fixture(scope="module")
def page_app() -> TestClient:
    return TestClient(make_page_app({}))


def test_the_base_map_is_served_under_static_as_json(page_app):
    response = page_app.get("/static/countries-110m.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    countries = {c["iso"]: c for c in response.json()["countries"]}
    assert len(response.json()["countries"]) == 177
    assert countries["IQ"]["name"] == "العراق"


@pytest.mark.parametrize("path", ["/static/missing.json", "/static/../page.py", "/static/%2e%2e/page.py", "/static/"])
def test_a_file_that_is_not_among_the_pages_files_gets_404(page_app, path):
    assert page_app.get(path).status_code == 404


class RunTimeLoads(HTMLParser):
    """What a page loads when it runs: the addresses of its loading elements, and its scripts and styles."""

    LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("iframe", "src"),
               ("source", "src"), ("source", "srcset"), ("video", "src"), ("video", "poster"), ("audio", "src"),
               ("object", "data"), ("embed", "src"), ("image", "href"), ("use", "href")}

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.code: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        self.addresses += [value or "" for name, value in attrs if (tag, name) in self.LOADING]
        self.code += [value or "" for name, value in attrs if name == "style" or name.startswith("on")]
        self._in_code = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_code = False

    def handle_data(self, data):
        if self._in_code:
            self.code.append(data)


@pytest.mark.parametrize("page", ["index.html", "docs.html"])
def test_the_page_loads_nothing_from_another_host(page):
    loads = RunTimeLoads()
    loads.feed((STATIC / page).read_text(encoding="utf-8"))
    assert loads.code  # the parser saw the page's scripts
    # an address with a scheme (https:, data:...) or protocol-relative (//host) leaves the page's host
    assert [a for a in loads.addresses if re.match(r"\s*([a-z][a-z0-9+.-]*:|//)", a, re.IGNORECASE)] == []
    # nor may a script or style name another host (fetch("https://..."), url(//...), import("http://..."))
    assert [u for c in loads.code for u in re.findall(r"[a-z][a-z0-9+.-]*://[^\s\"')]*|[\"'(]\s*//[^\s\"')]*", c, re.I)] == []


def test_a_ring_joins_its_arcs_reversing_negative_indices_without_repeating_the_joints():
    # x = 10 + 0.5 * qx, y = 20 + 0.25 * qy; arc 0: (0,0) (2,0) (2,4); arc 1: (2,4) (0,0), delta-encoded
    topology = {"transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
                "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, -4]]]}
    arcs = decode_arcs(topology)
    assert arcs == [[(10, 20), (11, 20), (11, 21)], [(11, 21), (10, 20)]]
    assert ring_points([0, 1], arcs) == [(10, 20), (11, 20), (11, 21), (10, 20)]
    assert ring_points([~1, ~0], arcs) == [(10, 20), (11, 21), (11, 20), (10, 20)]


def test_path_data_is_in_hundredths_of_a_degree_with_north_up_and_drops_what_rounds_away():
    ring = [(44.0, 33.0), (44.004, 33.001), (45.5, 33.0), (45.0, 34.25), (44.0, 33.0)]
    speck = [(1.001, 1.001), (1.002, 1.0), (1.003, 1.002), (1.001, 1.001)]  # all one point at this precision
    assert path_data([ring, speck]) == "M4400 -3300l150 0 -50 -125z"


def test_a_ring_cut_at_the_antimeridian_runs_on_past_180_degrees():
    ring = [(179.0, -16.0), (180.0, -16.5), (-179.5, -16.5), (-179.5, -16.0)]
    assert unwrapped(ring) == [(179.0, -16.0), (180.0, -16.5), (180.5, -16.5), (180.5, -16.0)]
