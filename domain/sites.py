"""A site as the importers produce it and the store keeps it (the shared type between
ingest/ and store/: the store must not import the importers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry


@dataclass
class SiteRecord:
    id: str
    kind: str
    name: str
    geometry: BaseGeometry  # WGS84
    county_code: str | None
    aliases: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    source_crs: str = "EPSG:4326"
    source: str = ""
    source_from_file: bool = False  # no 来源 column: the source is the file's name (not a fact about the site)
    illustrative: bool = False
    row: int | str = 0
