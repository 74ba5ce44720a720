"""Front-end assets served by the app itself (no CDN at run time).

Leaflet comes from the npm registry at setup (`npm pack`, pinned version, sha512
integrity checked) and is unpacked into `static/vendor/`, which Streamlit serves
at `/app/static/` (server.enableStaticServing). Nothing third-party is committed.
`use_local_assets()` points folium's element headers at those files.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from onemap import settings

STATIC = settings.REPO_ROOT / "static"
VENDOR = STATIC / "vendor"
URL_PREFIX = "/app/static/vendor"
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


def fetch(name: str) -> Path:
    version, integrity, files = PACKAGES[name]
    target = VENDOR / name
    if installed(name):
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError("需要 npm 来获取前端资源（Node.js）：请安装 nodejs/npm 后重试")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", tmp],
                       check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        tgz = next(Path(tmp).glob("*.tgz"))
        data = tgz.read_bytes()
        if _integrity(data) != integrity:
            raise AssetError(f"{name}@{version} 校验失败：下载内容与锁定的 sha512 不一致")
        if target.exists():
            shutil.rmtree(target)
        with tarfile.open(tgz) as tf:
            for rel in files:
                member = tf.getmember(f"package/{rel}")
                out = target / Path(rel).relative_to("dist") if rel.startswith("dist/") else target / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tf.extractfile(member).read())
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
    except (AssetError, subprocess.CalledProcessError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        sys.exit(1)
    print(f"前端资源已就绪：{VENDOR}")
