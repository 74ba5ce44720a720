"""Front-end assets served by the app itself (no CDN at run time).

Leaflet comes from the npm registry at setup: the pinned tarball is downloaded
directly over HTTPS (no Node.js/npm needed — a fresh Debian has neither), its sha512
checked against the pinned npm `dist.integrity`, and the files we use unpacked into
`static/vendor/`, which Streamlit serves at `/app/static/` (server.enableStaticServing).
Nothing third-party is committed. `ONEMAP_NPM_REGISTRY` selects a mirror (e.g.
https://registry.npmmirror.com); the integrity check makes any mirror safe.
`use_local_assets()` points folium's element headers at those files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from onemap import settings

STATIC = settings.REPO_ROOT / "static"
VENDOR = STATIC / "vendor"
URL_PREFIX = "/app/static/vendor"
REGISTRY = "https://registry.npmjs.org"
PACKAGES = {
    # name: (version, npm dist.integrity, files to keep from package/)
    "leaflet": ("1.9.4",
                "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
                ("dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
                 "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png",
                 "LICENSE")),
    "leaflet-draw": ("1.0.4",
                     "sha512-rsQ6saQO5ST5Aj6XRFylr5zvarWgzWnrg46zQ1MEOEIHsppdC/8hnN8qMoFvACsPvTioAuysya/TVtog15tyAQ==",
                     ("dist/leaflet.draw.js", "dist/leaflet.draw.css", "dist/images/spritesheet.png",
                      "dist/images/spritesheet-2x.png", "dist/images/spritesheet.svg", "package.json")),
}


class AssetError(RuntimeError):
    pass


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def installed(name: str) -> bool:
    version = PACKAGES[name][0]
    return (VENDOR / name / ".version").exists() and (VENDOR / name / ".version").read_text().strip() == version


def missing() -> list[str]:
    """The front-end packages not installed here (the maps stay blank without them)."""
    return [f"{name} {PACKAGES[name][0]}" for name in PACKAGES if not installed(name)]


def tarball_url(name: str, version: str) -> str:
    """The registry's tarball address for an unscoped package (what `npm pack` downloads)."""
    registry = (os.environ.get("ONEMAP_NPM_REGISTRY") or REGISTRY).rstrip("/")
    return f"{registry}/{name}/-/{name}-{version}.tgz"


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AssetError(f"无法下载 {url}：{reason}。请检查网络连接（可设置 HTTPS_PROXY，"
                         "或用 ONEMAP_NPM_REGISTRY 指定 npm 镜像，如 https://registry.npmmirror.com）") from exc


def fetch(name: str) -> Path:
    version, integrity, files = PACKAGES[name]
    target = VENDOR / name
    if installed(name):
        return target
    url = tarball_url(name, version)
    data = _download(url)
    if _integrity(data) != integrity:
        raise AssetError(f"{name}@{version} 校验失败：{url} 的内容与锁定的 sha512 不一致，未安装")
    # Read everything first, so a broken tarball leaves the previous copy untouched.
    contents: dict[Path, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            for rel in files:
                member = tf.extractfile(f"package/{rel}")
                out = Path(rel).relative_to("dist") if rel.startswith("dist/") else Path(rel)
                contents[out] = member.read()
    except (tarfile.TarError, KeyError, AttributeError) as exc:
        raise AssetError(f"{name}@{version} 的压缩包缺少所需文件：{exc}") from exc
    if target.exists():
        shutil.rmtree(target)
    for rel, blob in contents.items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(blob)
    (target / ".version").write_text(version + "\n")
    return target


def fetch_all() -> None:
    for name in PACKAGES:
        fetch(name)


def use_local_assets() -> None:
    """Make every folium element we use load Leaflet from the app's own server."""
    import folium

    js = [("leaflet", f"{URL_PREFIX}/leaflet/leaflet.js")]
    css = [("leaflet_css", f"{URL_PREFIX}/leaflet/leaflet.css")]
    folium.Map.default_js = js
    folium.Map.default_css = css
    from folium.plugins import Draw

    Draw.default_js = [("leaflet_draw_js", f"{URL_PREFIX}/leaflet-draw/leaflet.draw.js")]
    Draw.default_css = [("leaflet_draw_css", f"{URL_PREFIX}/leaflet-draw/leaflet.draw.css")]
    for cls in (folium.GeoJson, folium.Marker, folium.CircleMarker, folium.Popup, folium.Tooltip, folium.DivIcon):
        if hasattr(cls, "default_js"):
            cls.default_js = []
        if hasattr(cls, "default_css"):
            cls.default_css = []


if __name__ == "__main__":
    try:
        fetch_all()
    except AssetError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(1)
    print(f"前端资源已就绪：{VENDOR}")
