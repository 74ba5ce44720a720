"""The configuration files in data/config/ read through their schemas (jsonschema): a typo is
an error naming the file and the key, in Chinese — never a KeyError deep in a page, never a
silent default."""

from __future__ import annotations

import json
from functools import lru_cache

from onemap import settings

_TEXT = {"type": "string", "minLength": 1}
_TEXTS = {"type": "array", "items": _TEXT}
_POINT = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}

SCHEMAS: dict[str, dict] = {
    "site_kinds.json": {
        "type": "object", "required": ["kinds"],
        "properties": {"kinds": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["code", "name", "geometry"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}, "name": _TEXT, "aliases": _TEXTS,
                "geometry": {"type": "array", "minItems": 1,
                             "items": {"enum": ["Point", "LineString", "Polygon"]}},
                "marker": {"enum": ["triangle", "drop", "square", "diamond", "circle"]},  # layers.sites.SHAPES
                "attributes": {"type": "array", "items": {
                    "type": "object", "required": ["key", "label", "type"],
                    "properties": {"key": _TEXT, "label": _TEXT, "type": {"enum": ["text", "integer", "number", "choice"]},
                                   "choices": _TEXTS}}},
            }}}},
    },
    "categories.json": {
        "type": "object", "required": ["categories", "default"],
        "properties": {"default": _TEXT, "categories": {"type": "array", "items": {
            "type": "object", "required": ["name", "keywords"],
            "properties": {"name": _TEXT, "keywords": {"type": "array", "minItems": 1, "items": _TEXT}}}}},
    },
    "unit_abbreviations.json": {
        "type": "object", "required": ["long_to_short"],
        "properties": {"_source": _TEXT, "long_to_short": {"type": "array", "minItems": 1, "items": {
            "type": "array", "items": _TEXT, "minItems": 2, "maxItems": 2}}},
    },
    "regions.json": {
        "type": "object",
        "patternProperties": {"^[0-9]{6}$": {
            "type": "object",
            "properties": {
                "zones": {"type": "array", "items": {
                    "type": "object", "required": ["code", "name"],
                    "properties": {"code": _TEXT, "name": _TEXT, "full_name": _TEXT, "aliases": _TEXTS,
                                   "within": {"type": "string", "pattern": "^[0-9]{6}$"}, "anchor": _POINT,
                                   "anchor_illustrative": {"type": "boolean"}}}},
                "bureau": {"type": "object", "required": ["name", "lon", "lat"],
                           "properties": {"name": _TEXT, "lon": {"type": "number", "minimum": -180, "maximum": 180},
                                          "lat": {"type": "number", "minimum": -90, "maximum": 90},
                                          "illustrative": {"type": "boolean"}}},
            }}},
        "propertyNames": {"pattern": "^([0-9]{6}|_comment)$"},
    },
    "gb3838_2002.json": {
        "type": "object", "required": ["source", "classes", "rules", "factors"],
        "properties": {
            "source": _TEXT,
            "classes": {"type": "array", "items": _TEXT, "minItems": 6, "maxItems": 6},
            "rules": {"type": "object",
                      "required": ["river_excluded", "lake_excluded", "no_exceedance_multiple", "water_source_target"],
                      "properties": {"river_excluded": _TEXTS, "lake_excluded": _TEXTS, "lake_separate": _TEXTS,
                                     "no_exceedance_multiple": _TEXTS, "water_source_target": _TEXT}},
            "factors": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["name", "unit", "direction"],
                "properties": {
                    "name": _TEXT, "unit": _TEXT, "aliases": _TEXTS, "note": _TEXT, "lakes_only": {"type": "boolean"},
                    "direction": {"enum": ["max", "min", "range", "none"]},
                    "limits": {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 5, "maxItems": 5},
                    "lake_limits": {"type": "array", "items": {"type": "number", "minimum": 0},
                                    "minItems": 5, "maxItems": 5},
                    "range": _POINT}}},
        },
    },
}
TYPES_CN = {"string": "文字", "array": "列表", "object": "对象（{…}）", "number": "数字", "integer": "整数",
            "boolean": "true 或 false"}


class ConfigError(settings.SettingError):
    """A configuration file that cannot be used; the message names the file and the key."""


def _where(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "（顶层）"


def _problem(err) -> str:
    v = err.validator
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"缺少键“{missing}”"
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else err.validator_value[0]
        return f"应为{TYPES_CN.get(want, want)}"
    if v == "enum":
        return f"值“{err.instance}”无效，可用：{'、'.join(map(str, err.validator_value))}"
    if v == "minItems":
        return f"至少需要 {err.validator_value} 项"
    if v == "maxItems":
        return f"至多 {err.validator_value} 项"
    if v == "minLength":
        return "不能为空"
    if v in ("pattern", "propertyNames"):
        return f"“{err.instance}”格式不对"
    if v in ("minimum", "maximum"):
        return f"数值 {err.instance} 超出范围"
    if v == "additionalProperties":
        return "含有不认识的键"
    return "内容不符合要求"


def check(name: str, data) -> None:
    """Raise ConfigError naming the file and the first wrong key."""
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(SCHEMAS[name]).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        raise ConfigError(f"配置文件 data/config/{name} 中 {_where(e.absolute_path)}：{_problem(e)}"
                          + (f"（另有 {len(errors) - 1} 处问题）" if len(errors) > 1 else ""))
    if name == "site_kinds.json":
        for key in ("code", "name"):
            seen = [k[key] for k in data["kinds"]]
            dup = next((x for x in seen if seen.count(x) > 1), None)
            if dup:
                raise ConfigError(f"配置文件 data/config/{name} 中 kinds：{key}“{dup}”重复")


@lru_cache(maxsize=8)
def load(name: str) -> dict:
    """A configuration file, checked. Cached: the files change with a deployment, not at run time."""
    path = settings.CONFIG_DIR / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"配置文件 data/config/{name} 无法读取") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列" if isinstance(exc, json.JSONDecodeError) else "编码"
        raise ConfigError(f"配置文件 data/config/{name} 不是有效的 JSON（{where}），请检查逗号、引号和括号") from exc
    check(name, data)
    return data
