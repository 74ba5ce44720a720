"""bench/compare_naive.py at demo scale: one JSON object with every measure for both pages,
and its payload equal to the map component's arguments captured independently (the kwargs the
page hands to streamlit-folium's component, serialised as Streamlit serialises them). No timing
thresholds: times only have to be measured (positive numbers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from onemap import settings
from tests.browser_kit import _browser_or_skip
from tests.conftest import sign_in

pytestmark = pytest.mark.browser
MEASURES = {"rerun_all_s", "rerun_county_s", "payload_bytes", "first_paint_s", "first_paint_cached_s", "update_s",
            "peak_rss_mb"}


def _captured_payload(monkeypatch, script: str, signed_in: bool) -> int:
    """Run the page once under AppTest and serialise the component call's arguments as
    streamlit.components.v1.custom_component does (json.dumps of the kwargs, default and key)."""
    import streamlit_folium as sf
    from streamlit.testing.v1 import AppTest

    calls = []
    real = sf._component_func

    def capture(*args, **kwargs):
        calls.append(dict(kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(sf, "_component_func", capture)
    at = AppTest.from_file(script, default_timeout=300)
    if signed_in:
        sign_in(at)
    at.run()
    assert not at.exception, at.exception
    assert len(calls) == 1, f"{len(calls)} map components"
    kw = calls[0]
    sent = {k: v for k, v in kw.items() if k not in ("default", "key", "on_change", "tab_index")}
    sent.update(default=kw.get("default"), key=kw.get("key"))
    return len(json.dumps(sent).encode("utf-8"))


def test_compare_naive_prints_one_object_whose_payload_is_the_maps(demo_dir, monkeypatch, tmp_path):
    _browser_or_skip()
    from store.db import reader
    from store.queries import sites_frame

    with reader() as s:
        n_sites = len(sites_frame(s))
    out = subprocess.run([sys.executable, str(settings.REPO_ROOT / "bench" / "compare_naive.py"), "--scale", "demo",
                          "--json", "--data-dir", str(demo_dir)], capture_output=True, text=True, timeout=900,
                         env=dict(os.environ, PYTHONPATH=str(settings.REPO_ROOT)), cwd=settings.REPO_ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, out.stdout  # exactly one object
    r = json.loads(lines[0])
    assert set(r) == {"scale", "sites", "app", "naive", "floor"}
    assert r["scale"] == "demo" and r["sites"] == n_sites
    for page in ("app", "naive"):
        assert set(r[page]) == MEASURES
        for k, v in r[page].items():
            assert isinstance(v, (int, float)) and v > 0, (page, k, v)
    assert set(r["floor"]) == {"first_paint_s", "first_paint_cached_s"}
    assert all(isinstance(v, float) and v > 0 for v in r["floor"].values()), r["floor"]

    from bench.compare_naive import naive_stub

    assert r["app"]["payload_bytes"] == _captured_payload(monkeypatch, str(settings.REPO_ROOT / "app.py"), True)
    stub = naive_stub(tmp_path / "naive")
    assert r["naive"]["payload_bytes"] == _captured_payload(monkeypatch, str(stub), False)
