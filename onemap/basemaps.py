"""The basemap registry: data/config/basemaps.json (checked like every config file), plus what
a deployment adds in its data directory, plus the bureau's own tiles made by `onemap basemap add`.

- `<data dir>/basemaps.json` (optional, never in the repository): `keys` (e.g. the 天地图 key,
  `{"tianditu": "…"}`), `sources` (intranet XYZ / WMTS-KVP templates, same fields as the bundled
  ones) and `overrides` (per source id: a newer 审图号, attribution, URL). An environment variable
  named in the bundled `keys` section (ONEMAP_TIANDITU_KEY) wins over the file.
- `<data dir>/basemaps/<id>/` — tiles made from the bureau's GeoTIFF / MBTiles, with meta.json.

Serving the bureau's tiles: Streamlit serves `static/` next to app.py at /app/static/ and
resolves symlinks, refusing any file whose real path leaves that folder — so a symlink into the
data directory is refused (and it would in any case tie one checkout to one data directory).
The tiles are therefore *published*: hard-linked (no second copy on disk; copied only when the
data directory is on another file system) into `static/basemaps/<data-dir token>/<id>/`. The
data directory stays the one place the tiles belong (backups, `basemap remove`); the static copy
is rebuilt whenever it is missing (`published()`), e.g. after a restore or on a new checkout.
The browser then fetches tiles from the app's own origin: zero outside requests.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from geo.gcj import Datum
from onemap import config, settings

STATIC_DIR = settings.REPO_ROOT / "static" / "basemaps"
STATIC_URL = "/app/static/basemaps"
SUFFIXES = {".tif": "geotiff", ".tiff": "geotiff", ".mbtiles": "mbtiles"}


@dataclass(frozen=True)
class Basemap:
    id: str
    name: str
    type: str  # vector (the bundled counties only) | xyz (online / intranet templates) | local (own tiles)
    crs: str = "WGS84"
    layers: tuple[str, ...] = ()
    subdomains: str = ""
    attribution: str = ""
    approval: str = ""  # 审图号
    key: str = ""  # name of the key it needs ({key} in layers)
    key_value: str = field(default="", repr=False)
    key_label: str = ""
    key_env: str = ""
    online: bool = False
    min_zoom: int = 0
    max_zoom: int = 18
    bounds: tuple[float, ...] = ()
    note: str = ""

    @property
    def datum(self) -> Datum:
        return Datum(self.crs if self.crs == "GCJ02" else "WGS84")

    @property
    def missing_key(self) -> bool:
        return bool(self.key) and not self.key_value

    @property
    def label(self) -> str:
        tail = "GCJ-02，" if self.crs == "GCJ02" else ""
        if self.type == "vector":
            return f"{self.name}（离线）"
        if self.type == "local":
            return f"{self.name}（本地影像，离线）"
        return f"{self.name}（{tail}需联网）" if self.online else f"{self.name}（{tail}内网）"

    def urls(self) -> list[str]:
        return [u.replace("{key}", self.key_value) for u in self.layers]

    @property
    def credit(self) -> str:
        """The line a map that leaves the app carries: source and 审图号."""
        out = f"底图：{self.name}"
        if self.attribution:
            out += f"（{self.attribution}）"
        if self.approval:
            out += f"，审图号：{self.approval}"
        return out

    def blank_reason(self) -> str:
        """Why tiles may be blank, in Chinese ('' when they cannot be)."""
        if self.missing_key:
            return (f"未配置{self.key_label or '密钥'}（环境变量 {self.key_env} 或数据目录 basemaps.json 的 keys），"
                    f"{self.name}瓦片不会显示；区县底图和各图层照常可用。")
        if self.online:
            return f"{self.name}需联网：断网时瓦片为空白，区县底图和各图层照常可用。"
        if self.type == "xyz":
            return f"{self.name}为内网瓦片服务：不在内网时瓦片为空白，区县底图和各图层照常可用。"
        return ""


_SOURCE = {
    "type": "object", "required": ["id", "name", "type"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}, "name": config._TEXT,
        "type": {"enum": ["vector", "xyz"]}, "crs": {"enum": ["WGS84", "CGCS2000", "GCJ02"]},
        "layers": {"type": "array", "items": {"type": "string", "pattern": "^(https?://|/)"}},
        "subdomains": {"type": "string"}, "attribution": {"type": "string"}, "approval": {"type": "string"},
        "key": {"type": "string"}, "max_zoom": {"type": "integer", "minimum": 1, "maximum": 24},
        "min_zoom": {"type": "integer", "minimum": 0, "maximum": 24}, "online": {"type": "boolean"},
    }, "additionalProperties": False,
}
config.SCHEMAS["basemaps.json"] = {
    "type": "object", "required": ["default", "sources"],
    "properties": {
        "_comment": {"type": "string"}, "default": config._TEXT,
        "keys": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["env", "label"], "properties": {"env": config._TEXT, "label": config._TEXT}}},
        "sources": {"type": "array", "minItems": 1, "items": _SOURCE},
    }, "additionalProperties": False,
}
LOCAL_SCHEMA = {
    "type": "object",
    "properties": {
        "_comment": {"type": "string"},
        "keys": {"type": "object", "additionalProperties": {"type": "string"}},
        "sources": {"type": "array", "items": _SOURCE},
        "overrides": {"type": "object", "additionalProperties": {
            "type": "object", "properties": {k: _SOURCE["properties"][k] for k in
                                             ("name", "layers", "attribution", "approval", "subdomains", "max_zoom")},
            "additionalProperties": False}},
    }, "additionalProperties": False,
}


def _deployment() -> dict:
    """The data directory's basemaps.json (keys, intranet sources, overrides), checked; {} if absent."""
    from jsonschema import Draft202012Validator

    path = settings.data_dir() / "basemaps.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise config.ConfigError(f"数据目录中的 basemaps.json 不是有效的 JSON：{exc}") from exc
    errors = sorted(Draft202012Validator(LOCAL_SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        raise config.ConfigError(f"数据目录中的 basemaps.json 中 {config._where(e.absolute_path)}：{config._problem(e)}")
    return data


def _from_entry(e: dict, keys: dict, key_values: dict, online: bool) -> Basemap:
    k = e.get("key", "")
    spec = keys.get(k, {})
    value = (os.environ.get(spec.get("env", ""), "") or key_values.get(k, "")).strip() if k else ""
    return Basemap(id=e["id"], name=e["name"], type=e["type"], crs=e.get("crs", "WGS84"),
                   layers=tuple(e.get("layers", ())), subdomains=e.get("subdomains", ""),
                   attribution=e.get("attribution", ""), approval=e.get("approval", ""), key=k, key_value=value,
                   key_label=spec.get("label", ""), key_env=spec.get("env", ""),
                   online=e.get("online", online) if e["type"] == "xyz" else False,
                   min_zoom=e.get("min_zoom", 0), max_zoom=e.get("max_zoom", 18))


def sources() -> list[Basemap]:
    """Every selectable basemap: bundled, the deployment's intranet sources, the bureau's own tiles."""
    bundled = config.load("basemaps.json")
    dep = _deployment()
    keys, values = bundled.get("keys", {}), dep.get("keys", {})
    overrides = dep.get("overrides", {})
    out = [_from_entry({**e, **overrides.get(e["id"], {})}, keys, values, online=True) for e in bundled["sources"]]
    seen = {b.id for b in out}
    for e in dep.get("sources", []):
        if e["id"] in seen:
            raise config.ConfigError(f"数据目录中的 basemaps.json：底图编号“{e['id']}”与已有底图重复")
        out.append(_from_entry(e, keys, values, online=False))  # a deployment's own service: intranet by default
        seen.add(e["id"])
    out.extend(local_sources())
    return out


def default_id() -> str:
    return config.load("basemaps.json")["default"]


def get(basemap_id: str | None) -> Basemap:
    """The basemap of that id; the default when the id is unknown (a stale link)."""
    found = {b.id: b for b in sources()}
    return found.get(basemap_id or "") or found[default_id()]


# ----------------------------------------------------------------------------- the bureau's own tiles
def local_root() -> Path:
    return settings.data_dir() / "basemaps"


def _token() -> str:
    return hashlib.sha1(str(settings.data_dir()).encode()).hexdigest()[:12]


def local_sources() -> list[Basemap]:
    root = local_root()
    if not root.exists():
        return []
    out = []
    for meta_file in sorted(root.glob("*/meta.json")):
        try:
            m = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        published(m["id"])
        url = f"{STATIC_URL}/{_token()}/{m['id']}/{{z}}/{{x}}/{{y}}.{m['format']}"
        out.append(Basemap(id=m["id"], name=m["name"], type="local", crs="WGS84", layers=(url,),
                           attribution=f"本单位影像：{m['source_file']}（{m['source_crs']}）",
                           approval=m.get("approval", ""), min_zoom=m["min_zoom"], max_zoom=m["max_zoom"],
                           bounds=tuple(m["bounds"]), note=m.get("created", "")))
    return sorted(out, key=lambda b: b.note)


def static_folder(basemap_id: str) -> Path:
    return STATIC_DIR / _token() / basemap_id


def published(basemap_id: str) -> Path:
    """The tiles under the app's static folder (hard links), made when missing."""
    target = static_folder(basemap_id)
    if (target / ".published").exists():
        return target
    src = local_root() / basemap_id / "tiles"
    tmp = target.with_name(f".{basemap_id}-{uuid.uuid4().hex[:6]}")
    for f in src.rglob("*"):
        if f.is_file():
            dst = tmp / f.relative_to(src)
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(f, dst)
            except OSError:
                shutil.copy2(f, dst)
    (tmp / ".published").parent.mkdir(parents=True, exist_ok=True)
    (tmp / ".published").write_text("")
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)
    return target


class BasemapError(ValueError):
    """A basemap file or name that cannot be used; the message is Chinese."""


OUTSIDE_MARGIN_M = 20_000  # as site and reference-layer imports (ingest.sites.OUTSIDE_MARGIN_M)


def outside_region(bounds, region) -> str | None:
    """Why imagery with these WGS84 bounds (west, south, east, north) is not this city's, or None.
    A sheet of another place (or a wrong Gauss-Krüger zone) would otherwise sit in every
    user's basemap list, invisible at the city's extent."""
    import geopandas as gpd
    from shapely.geometry import box

    from geo.crs import metric_crs_for

    metric = metric_crs_for((region.bbox[0] + region.bbox[2]) / 2)
    city = gpd.GeoSeries([region.counties().geometry.union_all()], crs=4326).to_crs(metric).iloc[0]
    img = gpd.GeoSeries([box(*bounds)], crs=4326).to_crs(metric).iloc[0]
    dist = img.distance(city)
    if dist <= OUTSIDE_MARGIN_M:
        return None
    return (f"影像范围距{region.name}边界约 {dist / 1000:.0f} 公里，不在本市范围内：请检查文件的坐标系"
            "（如高斯-克吕格投影的带号）；未添加底图")


def add(path: Path, name: str | None = None, progress=None, region=None) -> Basemap:
    """Tiles from the bureau's GeoTIFF or MBTiles into the data directory; all or nothing.
    With `region`, imagery more than 20 km from the city is refused."""
    from geo import tiles

    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise BasemapError(f"不支持的文件类型“{path.suffix or path.name}”：可用 GeoTIFF（.tif/.tiff）或 MBTiles（.mbtiles）")
    if not path.is_file():
        raise BasemapError(f"找不到文件：{path}")
    name = (name or path.stem).strip()
    if not name:
        raise BasemapError("底图名称不能为空")
    if any(b.name == name for b in sources()):
        raise BasemapError(f"已有名为“{name}”的底图：请用 --name 另起名称，或先删除原底图")
    root = local_root()
    root.mkdir(parents=True, exist_ok=True)
    bid = "own_" + uuid.uuid4().hex[:8]
    work = Path(tempfile.mkdtemp(prefix=".adding-", dir=root))
    try:
        build = tiles.from_geotiff if kind == "geotiff" else tiles.from_mbtiles
        try:
            ts = build(path, work / "tiles", progress)
        except tiles.TileError as exc:
            raise BasemapError(str(exc)) from exc
        why = outside_region(ts.bounds, region) if region is not None else None
        if why:
            raise BasemapError(why)
        meta = {"id": bid, "name": name, "source_file": path.name, "source_kind": kind, "source_crs": ts.source_crs,
                "format": ts.fmt, "min_zoom": ts.min_zoom, "max_zoom": ts.max_zoom, "bounds": list(ts.bounds),
                "tiles": ts.tiles, "bytes": ts.bytes, "created": datetime.now().isoformat(timespec="seconds")}
        (work / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        work.rename(root / bid)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    published(bid)
    return get(bid)


def find_local(id_or_name: str) -> Basemap:
    hits = [b for b in local_sources() if id_or_name in (b.id, b.name)]
    if not hits:
        names = "、".join(f"{b.name}（{b.id}）" for b in local_sources()) or "（尚无本地底图）"
        raise BasemapError(f"没有名为“{id_or_name}”的本地底图。现有：{names}")
    return hits[0]


def remove(id_or_name: str) -> Basemap:
    b = find_local(id_or_name)
    shutil.rmtree(static_folder(b.id), ignore_errors=True)
    shutil.rmtree(local_root() / b.id)
    return b


def local_meta(basemap_id: str) -> dict:
    return json.loads((local_root() / basemap_id / "meta.json").read_text(encoding="utf-8"))


def with_key(b: Basemap, value: str) -> Basemap:
    """For tests and previews: the same source with a key value."""
    return replace(b, key_value=value)


# ----------------------------------------------------------------------------- from the app (permission, audit)
def add_as(actor, path: Path, name: str | None = None, progress=None) -> Basemap:
    """`add` for a signed-in user: needs the import permission; recorded in the audit trail."""
    from domain import permissions as perm
    from onemap import audit, services
    from store.db import transaction

    services.ensure(actor, perm.IMPORT)
    b = add(path, name, progress, region=services.active_region())
    m = local_meta(b.id)
    with transaction() as s:
        audit.record(s, actor, audit.IMPORTED, object_type="底图", object_id=b.id,
                     summary=f"添加底图“{b.name}”：{m['source_file']}（{m['source_crs']}），{m['tiles']} 块瓦片",
                     after={k: m[k] for k in ("name", "source_file", "source_crs", "tiles", "bytes")})
    return b


def remove_as(actor, id_or_name: str) -> Basemap:
    from domain import permissions as perm
    from onemap import audit, services
    from store.db import transaction

    services.ensure(actor, perm.IMPORT)
    b = remove(id_or_name)
    with transaction() as s:
        audit.record(s, actor, audit.SETTINGS, object_type="底图", object_id=b.id, summary=f"删除底图“{b.name}”",
                     before={"name": b.name})
    return b
