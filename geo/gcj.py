"""WGS84 ⇄ GCJ-02 (the offset datum of 高德/腾讯 web maps), in one place.

Stored data is always WGS84. When a GCJ-02 basemap is shown, everything drawn over it is
passed through `to_gcj_*` on its way to the map, and every coordinate clicked on it comes
back through `to_wgs` before it is used or stored. The maths is the `prcoords` library's
(`wgs_gcj`, and the iterative `gcj_wgs_bored` inverse, precise to centimetres); outside
China GCJ-02 equals WGS84, as prcoords' `check_china` (and the tile providers) have it.
"""

from __future__ import annotations

import prcoords
import shapely

WGS84, GCJ02 = "WGS84", "GCJ02"


def wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    c = prcoords.wgs_gcj((lat, lon))
    return c.lon, c.lat


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    c = prcoords.gcj_wgs_bored((lat, lon))
    return c.lon, c.lat


def _coords(coords, fn):
    """Nested GeoJSON coordinate arrays, each [lon, lat(, z)] position passed through fn."""
    if coords and isinstance(coords[0], (int, float)):
        x, y = fn(coords[0], coords[1])
        return [x, y, *coords[2:]]
    return [_coords(c, fn) for c in coords]


def shift_geojson(obj: dict, fn=wgs_to_gcj) -> dict:
    """A copy of a GeoJSON geometry, Feature or FeatureCollection with every position shifted."""
    if obj is None:
        return None
    t = obj.get("type")
    if t == "FeatureCollection":
        return {**obj, "features": [shift_geojson(f, fn) for f in obj["features"]]}
    if t == "Feature":
        return {**obj, "geometry": shift_geojson(obj.get("geometry"), fn)}
    if t == "GeometryCollection":
        return {**obj, "geometries": [shift_geojson(g, fn) for g in obj["geometries"]]}
    return {**obj, "coordinates": _coords(obj["coordinates"], fn)}


def shift_geometry(geom, fn=wgs_to_gcj):
    """A shapely geometry with every vertex shifted (z kept)."""
    def each(xy):
        out = xy.copy()
        for i, (x, y) in enumerate(xy[:, :2]):
            out[i, 0], out[i, 1] = fn(float(x), float(y))
        return out
    return shapely.transform(geom, each)


def shift_frame(frame, fn=wgs_to_gcj):
    """A GeoDataFrame (WGS84) whose geometries are shifted; the attributes are kept."""
    out = frame.copy()
    out["geometry"] = [shift_geometry(g, fn) if g is not None else None for g in frame.geometry.values]
    return out.set_geometry("geometry", crs=frame.crs)


class Datum:
    """What a map shows its geometry in: `out` maps WGS84 to the basemap's datum, `back` a
    position clicked on that basemap to WGS84. The identity for WGS84/CGCS2000 basemaps
    (CGCS2000 and WGS84 differ by centimetres, below what a web map can show)."""

    def __init__(self, name: str = WGS84):
        self.name = name
        self.shifted = name == GCJ02

    def __repr__(self) -> str:  # by value: the pages' cache keys hold it
        return f"Datum({self.name!r})"

    def out(self, lon: float, lat: float) -> tuple[float, float]:
        return wgs_to_gcj(lon, lat) if self.shifted else (lon, lat)

    def back(self, lon: float, lat: float) -> tuple[float, float]:
        return gcj_to_wgs(lon, lat) if self.shifted else (lon, lat)

    def geojson(self, obj: dict) -> dict:
        return shift_geojson(obj) if self.shifted else obj

    def geometry(self, geom):
        return shift_geometry(geom) if self.shifted else geom

    def geometry_back(self, geom):
        """A shape drawn on this basemap, in WGS84 (e.g. a selection area)."""
        return shift_geometry(geom, gcj_to_wgs) if self.shifted else geom

    def frame(self, frame):
        return shift_frame(frame) if self.shifted else frame

    def latlon(self, lat: float, lon: float) -> tuple[float, float]:
        """folium's [lat, lon] order."""
        x, y = self.out(lon, lat)
        return y, x
