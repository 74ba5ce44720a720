"""Property-based fuzzing of every importer through the real command line (onemap.cli.main):
site layers (GeoJSON, CSV, zipped Shapefile, KML), ledgers (XLSX, CSV), documents (.docx,
.txt) and backups. Every input here is malformed by construction; each must end in exit 1
(2 for a setting) with a Chinese message, no traceback, the store's content unchanged and
within a time bound.

CI runs ONEMAP_FUZZ_EXAMPLES examples per importer (default 12). A longer run:
    ONEMAP_FUZZ_EXAMPLES=200 pytest tests/test_fuzz_inputs.py -q
The figures of a run (inputs, tracebacks, hangs, wrong accepts) are printed at the end (-s)."""

from __future__ import annotations

import io
import json
import math
import os
import re
import time
import zipfile
from collections import Counter

import openpyxl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from onemap import settings
from onemap.cli import main
from store.backup import snapshot
from store.db import get_engine

EXAMPLES = int(os.environ.get("ONEMAP_FUZZ_EXAMPLES", "12"))
TIME_BOUND = 30.0  # seconds per input
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURES: Counter = Counter()
RUN = hsettings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

LON, LAT = 117.2, 29.3  # inside 景德镇
BAD_NUMBERS = st.sampled_from([math.nan, math.inf, -math.inf, 477.2, -200.0, 95.0, 1e300])
BAD_CELLS = st.one_of(st.sampled_from(["", "abc", "NaN", "Infinity", "477.2", "1e400", "１１７．２", "117,2", "--"]),
                      st.text(alphabet="xyz!@#", min_size=1, max_size=8))


def _hash() -> dict:
    with get_engine(settings.database_url()).connect() as c:
        return snapshot(c)


def _run(argv: list[str], capsys, before: dict, what: str) -> None:
    """One malformed input through the CLI: refused in Chinese, nothing changed, in time."""
    t0 = time.monotonic()
    code = main(argv)
    took = time.monotonic() - t0
    out = capsys.readouterr()
    FIGURES["inputs"] += 1
    FIGURES[f"inputs:{what}"] += 1
    text = out.err + out.out
    if "Traceback" in text:
        FIGURES["tracebacks"] += 1
    if took > TIME_BOUND:
        FIGURES["hangs"] += 1
    if code == 0:
        FIGURES["wrong accepts"] += 1
    assert "Traceback" not in text, text
    assert code in (1, 2), f"{what}: exit {code} for a malformed input\n{text}"
    assert CJK.search(out.err), out.err
    assert "系统错误" not in out.err, out.err  # a refusal, not an unexpected failure
    assert took <= TIME_BOUND, took
    assert _hash() == before


@pytest.fixture()
def store(demo_dir):
    return _hash()


# ----------------------------------------------------------------------------- site layers
def _feature(name="断面甲", kind="监测断面", coords=(LON, LAT), geometry="Point"):
    geom = None if geometry is None else {"type": geometry, "coordinates": list(coords)}
    return {"type": "Feature", "properties": {"名称": name, "类型": kind}, "geometry": geom}


GEOJSON_BAD = st.one_of(
    st.tuples(BAD_NUMBERS, st.just(LAT)).map(lambda c: [_feature(coords=c)]),
    st.tuples(st.just(LON), BAD_NUMBERS).map(lambda c: [_feature(coords=c)]),
    st.just([_feature(geometry=None)]),
    st.text(alphabet="甲乙丙丁abc<>&=", min_size=201, max_size=400).map(lambda n: [_feature(name=n)]),
    st.just([_feature(name="")]),
    st.text(alphabet="ABCxyz", min_size=1, max_size=6).map(lambda k: [_feature(kind="未知" + k)]),
    st.just([_feature(kind="饮用水水源地", geometry="LineString", coords=[[LON, LAT], [LON + .01, LAT]])]),
    st.just([_feature(coords=(LON + 5, LAT + 5))]),  # hundreds of km outside the city
)


@RUN
@given(features=GEOJSON_BAD, damage=st.sampled_from(["none", "truncate", "gbk-bom-garbage", "not-json"]))
def test_geojson(store, tmp_path, capsys, features, damage):
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, allow_nan=True)
    raw = body.encode("utf-8")
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "gbk-bom-garbage":
        raw = b"\xff\xfe\x00" + raw
    elif damage == "not-json":
        raw = b"{" + raw
    p = tmp_path / "点位.geojson"
    p.write_bytes(raw)
    _run(["import", str(p)], capsys, store, "geojson")


@RUN
@given(rows=st.lists(st.tuples(st.sampled_from(["lon", "lat", "name", "kind"]), BAD_CELLS), min_size=1, max_size=4),
       enc=st.sampled_from(["utf-8", "gb18030"]))
def test_site_csv(store, tmp_path, capsys, rows, enc):
    lines = ["名称,类型,经度,纬度"]
    for i, (col, bad) in enumerate(rows):
        cells = {"name": f"断面{i}", "kind": "监测断面", "lon": str(LON), "lat": str(LAT)}
        cells[col] = "未知类型" + bad if col == "kind" else ("" if col == "name" else bad)
        lines.append(",".join(cells[c].replace(",", "，") for c in ("name", "kind", "lon", "lat")))
    p = tmp_path / "点位.csv"
    p.write_bytes("\n".join(lines).encode(enc, errors="replace"))
    _run(["import", str(p)], capsys, store, "site csv")


@RUN
@given(kind=st.sampled_from(["garbage", "slip", "junk-shp", "empty", "encrypted-flag"]),
       payload=st.binary(min_size=0, max_size=200))
def test_zip_shapefile(store, tmp_path, capsys, kind, payload):
    p = tmp_path / "图层.zip"
    if kind == "garbage":
        p.write_bytes(b"PK\x03\x04" + payload)
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            if kind == "slip":
                zf.writestr("../../etc/断面.shp", payload)
            elif kind == "junk-shp":
                for ext in (".shp", ".shx", ".dbf"):
                    zf.writestr(f"断面{ext}", payload)
            elif kind == "encrypted-flag":
                info = zipfile.ZipInfo("断面.shp")
                info.flag_bits |= 0x1
                zf.writestr(info, payload)
        p.write_bytes(buf.getvalue())
    _run(["import", str(p), "--kind", "监测断面"], capsys, store, "zip shapefile")


KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


@RUN
@given(kind=st.sampled_from(["coords", "broken", "entities", "no-placemark"]), bad=BAD_CELLS)
def test_kml(store, tmp_path, capsys, kind, bad):
    if kind == "coords":
        body = (f'{KML_HEAD}<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>断面</name>'
                f"<Point><coordinates>{bad},{LAT}</coordinates></Point></Placemark></Document></kml>")
    elif kind == "broken":
        body = f'{KML_HEAD}<kml><Document><Placemark><name>{bad}</name><Point><coordinates>'
    elif kind == "entities":  # billion laughs: never expanded
        body = (f'{KML_HEAD}<!DOCTYPE kml [<!ENTITY a "{bad * 10}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&d;</name>'
                f"<Point><coordinates>{LON + 9},{LAT}</coordinates></Point></Placemark></Document></kml>")
    else:
        body = f'{KML_HEAD}<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>{bad}</name></Document></kml>'
    p = tmp_path / "点位.kml"
    p.write_text(body, encoding="utf-8")
    _run(["import", str(p), "--kind", "监测断面"], capsys, store, "kml")


# ----------------------------------------------------------------------------- ledgers
LEDGER_HEAD = ["来源文件", "编号", "上级编号", "问题/任务", "整改时限", "责任单位"]
LEDGER_BAD = st.sampled_from(["empty-number", "duplicate", "overlong", "no-title-col", "empty", "garbage", "cycle"])


def _ledger_rows(kind: str, filler: str) -> list[list[str]] | None:
    ok = ["测试清单", "1", "", f"问题{filler}", "2026年12月底前", "市生态环境局"]
    if kind == "empty-number":
        return [LEDGER_HEAD, ok, ["测试清单", "", "", "无编号的问题", "", ""]]
    if kind == "duplicate":
        return [LEDGER_HEAD, ok, ok]
    if kind == "overlong":
        return [LEDGER_HEAD, [*ok[:3], "长" * 2001 + filler, *ok[4:]]]
    if kind == "no-title-col":
        return [["来源文件", "编号", "整改时限", "责任单位"], ["测试清单", "1", "2026年底", "市生态环境局"]]
    if kind == "empty":
        return [LEDGER_HEAD]
    if kind == "cycle":  # 1 under 2, 2 under 1
        return [LEDGER_HEAD, ["测试清单", "1", "2", f"问题{filler}", "", ""], ["测试清单", "2", "1", "问题乙", "", ""]]
    return None


@RUN
@given(kind=LEDGER_BAD, filler=st.text(alphabet="甲乙丙丁", max_size=5), fmt=st.sampled_from(["xlsx", "csv"]),
       junk=st.binary(min_size=1, max_size=100))
def test_ledger(store, tmp_path, capsys, kind, filler, fmt, junk):
    rows = _ledger_rows(kind, filler)
    p = tmp_path / f"台账.{fmt}"
    if rows is None:
        p.write_bytes((b"PK\x03\x04" if fmt == "xlsx" else b"\xff\xfe\xfa") + junk)
    elif fmt == "xlsx":
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(p)
    else:
        p.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    _run(["import", str(p)], capsys, store, "ledger")


# ----------------------------------------------------------------------------- documents
@RUN
@given(kind=st.sampled_from(["garbage", "bad-xml", "bomb", "no-items-txt", "doc"]),
       payload=st.binary(min_size=0, max_size=200), words=st.text(alphabet="abcdefg \n", max_size=200))
def test_document(store, tmp_path, capsys, kind, payload, words):
    p = tmp_path / ("文件.txt" if kind == "no-items-txt" else "文件.doc" if kind == "doc" else "文件.docx")
    if kind == "garbage":
        p.write_bytes(b"PK\x03\x04" + payload)
    elif kind in ("bad-xml", "bomb"):
        with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            if kind == "bad-xml":
                zf.writestr("word/document.xml", b"<w:document>" + payload)
            else:
                zf.writestr("word/document.xml", b"<a>" + b" " * (60 * 2**20) + b"</a>")
    else:
        p.write_text(words, encoding="utf-8")
    _run(["import-doc", str(p)], capsys, store, "document")


# ----------------------------------------------------------------------------- backups
@pytest.fixture()
def good_backup(store, tmp_path, capsys) -> bytes:
    path = tmp_path / "good.zip"
    assert main(["backup", str(path)]) == 0
    capsys.readouterr()
    return path.read_bytes()


@RUN
@given(kind=st.sampled_from(["flip", "truncate", "manifest"]), where=st.floats(0, 1), value=st.one_of(
    st.integers(), st.text(max_size=10), st.none(), st.lists(st.integers(), max_size=2)))
def test_backup(store, good_backup, tmp_path, capsys, kind, where, value):
    raw = bytearray(good_backup)
    if kind == "flip":
        i = min(len(raw) - 1, int(where * len(raw)))
        raw[i] ^= 0xFF
    elif kind == "truncate":
        raw = raw[: int(where * (len(raw) - 1))]
    else:
        with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
            man = json.loads(zf.read("manifest.json"))
            data = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
        keys = ["schema_revision", "format", "tables", "files"]
        man[keys[int(where * 3.999)]] = value
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("manifest.json", json.dumps(man))
            for n, b in data.items():
                zf.writestr(n, b)
        raw = bytearray(buf.getvalue())
    p = tmp_path / "备份.zip"
    p.write_bytes(bytes(raw))
    before = _hash()
    code = main(["restore", str(p)])
    out = capsys.readouterr()
    if code == 0:  # a flipped byte in a part zip does not read (e.g. a timestamp): the restore is exact
        FIGURES["inputs"] += 1
        FIGURES["inputs:backup (harmless damage, restored exactly)"] += 1
        assert _hash() == before
        return
    FIGURES["inputs"] += 1
    FIGURES["inputs:backup"] += 1
    assert code == 1 and "Traceback" not in out.err and CJK.search(out.err), out.err
    assert "系统错误" not in out.err, out.err
    assert _hash() == before


def test_zz_figures(capsys):
    """The run's figures (shown with -s)."""
    with capsys.disabled():
        print("\nfuzz figures:", dict(sorted(FIGURES.items())))
    assert FIGURES["tracebacks"] == FIGURES["hangs"] == FIGURES["wrong accepts"] == 0


