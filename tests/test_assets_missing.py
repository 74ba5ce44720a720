"""A checkout whose front-end packages were never fetched (a copy without static/vendor) showed
blank maps and no word about why (user trial): every page now says which package is missing
and how to fetch it."""

from __future__ import annotations

from onemap import assets
from tests.conftest import app_test


def test_missing_leaflet_is_said_on_the_page(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "VENDOR", tmp_path / "no-vendor")
    want = [f"{name} {spec[0]}" for name, spec in assets.PACKAGES.items()]  # every package, none installed
    at = app_test().run()
    assert not at.exception
    assert [e.value for e in at.error][:1] == [
        f"地图前端资源缺失（{'、'.join(want)}），地图无法显示。请在程序目录运行 "
        "`scripts/setup.sh`（或 `.venv/bin/python -m onemap.assets`）后刷新页面。"]


def test_installed_assets_say_nothing(demo_dir):
    assert assets.missing() == []  # this checkout has them (setup.sh fetched them)
    at = app_test().run()
    assert not [e.value for e in at.error if "前端资源缺失" in e.value]
