"""The region's 七参数 (geo.datums.SevenParams) for 北京54 and 西安80: set once per region by
the 业务管理员 (perm.DATUM) from the page or `onemap datum set`, kept in the store's settings
(meta `datum7:<adcode>:<datum>`, never in the repository), audited, and handed to every site
and reference-layer import of that region."""

from __future__ import annotations

import json
from datetime import datetime

from domain import permissions as perm
from domain.actors import Actor
from geo.datums import CONVENTIONS, DATUMS, POSITION_VECTOR, DatumError, SevenParams, datum_name
from onemap import audit
from store import repo
from store.db import reader, transaction

KEY = "datum7:{adcode}:{datum}"


def _region_code(s) -> str:
    from onemap.services import active_region_code

    return active_region_code(s)


def configured() -> dict[str, SevenParams]:
    """The active region's parameters by datum ('北京54', '西安80'); absent when not set."""
    out = {}
    with reader() as s:
        code = _region_code(s)
        for d in DATUMS:
            raw = repo.get_meta(s, KEY.format(adcode=code, datum=d))
            if raw:
                out[d] = SevenParams(**json.loads(raw)["params"])
    return out


def described() -> list[dict]:
    """For the page and `onemap datum list`: one row per datum (set or not)."""
    rows = []
    with reader() as s:
        code = _region_code(s)
        for d in DATUMS:
            raw = repo.get_meta(s, KEY.format(adcode=code, datum=d))
            info = json.loads(raw) if raw else None
            rows.append({"基准": d, "七参数": SevenParams(**info["params"]).describe() if info else "未设置",
                         "设置人": info["by"] if info else "", "设置时间": info["at"] if info else ""})
    return rows


def set_params(actor: Actor, datum: str, text: str, convention: str = POSITION_VECTOR) -> SevenParams:
    """Parse, check and store one datum's parameters for the active region (DatumError with a
    Chinese reason on bad input, nothing stored); audited with the values before and after."""
    from onemap.services import ensure

    ensure(actor, perm.DATUM)
    d = datum_name(datum)
    params = SevenParams.parse(text, convention)
    with transaction() as s:
        code = _region_code(s)
        key = KEY.format(adcode=code, datum=d)
        before = repo.get_meta(s, key)
        info = {"params": params.__dict__, "given_as": CONVENTIONS[convention], "text": text.strip(),
                "by": actor.label, "at": datetime.now().strftime("%Y-%m-%d %H:%M")}
        repo.set_meta(s, key, json.dumps(info, ensure_ascii=False))
        audit.record(s, actor, audit.SETTINGS, object_type="坐标转换七参数", object_id=f"{code} {d}",
                     summary=f"设置{d}到 WGS84（CGCS2000）七参数：{params.describe()}",
                     before=json.loads(before)["params"] if before else None,
                     after={**params.__dict__, "given_as": CONVENTIONS[convention]})
    return params


__all__ = ["DatumError", "configured", "described", "set_params"]
