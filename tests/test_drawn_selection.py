"""现场检查's 框选: a shape drawn on the map selects, among the filtered sites, those whose geometry
meets it — through the store's spatial selection — after it is shifted back from the basemap's
datum. Expected ids come from a plain shapely loop over the stored WKT."""

from __future__ import annotations

import shapely
from shapely.geometry import box
from sqlalchemy import select

from geo.gcj import GCJ02, Datum
from onemap.field_trip import sites_in_drawn_area
from store import models as m
from store.db import reader


def _stored() -> dict[str, shapely.Geometry]:
    with reader() as s:  # the ORM column reads WKT on both engines
        return {i: shapely.from_wkt(w) for i, w in s.execute(select(m.Site.id, m.Site.geom_wkt))}


def test_a_drawn_box_selects_the_filtered_sites_it_meets(demo_dir):
    geoms = _stored()
    parks = [i for i, g in geoms.items() if g.geom_type in ("Polygon", "MultiPolygon")]
    park = geoms[parks[0]]
    # a box over the eastern edge of a park only: its symbol (an inner point) is outside the box
    minx, miny, maxx, maxy = park.bounds
    area = box(maxx - (maxx - minx) * 0.05, miny, maxx + 0.01, maxy)
    assert not area.covers(park.representative_point())
    expected = sorted(i for i, g in geoms.items() if g.intersects(area))
    assert parks[0] in expected
    candidates = sorted(geoms)
    assert sites_in_drawn_area(area, candidates) == expected
    # only the candidates (the filtered sites) are chosen, in their order
    others = [i for i in reversed(candidates) if i != parks[0]]
    assert sites_in_drawn_area(area, others) == [i for i in others if i in expected]


def test_a_box_drawn_on_a_gcj02_basemap_is_shifted_back_before_it_selects(demo_dir):
    geoms = _stored()
    sid, point = next((i, g) for i, g in sorted(geoms.items()) if g.geom_type == "Point")
    gcj = Datum(GCJ02)
    x, y = gcj.out(point.x, point.y)  # where the symbol is drawn on 高德
    drawn = box(x - 0.0005, y - 0.0005, x + 0.0005, y + 0.0005)  # ~50 m around the drawn symbol
    assert not drawn.covers(point)  # the offset (hundreds of metres) puts the WGS84 point outside
    assert sid in sites_in_drawn_area(gcj.geometry_back(drawn), sorted(geoms))
    assert sid not in sites_in_drawn_area(drawn, sorted(geoms))
