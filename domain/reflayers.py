"""Reference layers (参考图层): the kinds the bureau holds and their default styles, as data.

A layer's kind decides its default look — 生态保护红线 green hatch with a green outline,
饮用水水源保护区 blue, rivers blue lines, roads grey lines — and the user may override any
style key (`--style color=#1f78b4,weight=3`). The kind is taken from the name the user gives
(a layer called “生态保护红线” is a 红线 layer) unless named explicitly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LAYER_NAME = 100


@dataclass(frozen=True)
class RefKind:
    code: str
    name: str
    keywords: tuple[str, ...]  # a layer name containing one of these is of this kind
    style: dict = field(default_factory=dict)


REF_KINDS: tuple[RefKind, ...] = (
    RefKind("redline", "生态保护红线", ("红线",),
            {"color": "#1B7F3B", "weight": 2.0, "fill_color": "#1B7F3B", "fill_opacity": 0.35, "hatch": True,
             "dash": ""}),
    RefKind("water_protection", "饮用水水源保护区", ("水源", "保护区"),
            {"color": "#1F5FBF", "weight": 2.0, "fill_color": "#4A90D9", "fill_opacity": 0.2, "hatch": False,
             "dash": "6 4"}),
    RefKind("river", "河流水系", ("河", "江", "水系", "溪", "湖", "水库", "渠"),
            {"color": "#2C7FB8", "weight": 2.5, "fill_color": "#A6CEE3", "fill_opacity": 0.4, "hatch": False,
             "dash": ""}),
    RefKind("road", "道路", ("路", "道", "公路", "交通"),
            {"color": "#7A7A7A", "weight": 2.0, "fill_color": "#BDBDBD", "fill_opacity": 0.2, "hatch": False,
             "dash": ""}),
    RefKind("other", "其他", (),
            {"color": "#6A3D9A", "weight": 1.5, "fill_color": "#CAB2D6", "fill_opacity": 0.2, "hatch": False,
             "dash": ""}),
)
STYLE_KEYS = {"color": "颜色", "weight": "线宽", "fill_color": "填充色", "fill_opacity": "填充透明度",
              "hatch": "斜线填充", "dash": "虚线"}
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DASH = re.compile(r"^(\d{1,2}( \d{1,2}){0,3})?$")


class StyleError(ValueError):
    """A style the user wrote that cannot be used (Chinese message)."""


def kind_names() -> list[str]:
    return [k.name for k in REF_KINDS]


def ref_kind(text: str | None) -> RefKind | None:
    """By code or name ('redline', '生态保护红线')."""
    t = (text or "").strip()
    return next((k for k in REF_KINDS if t in (k.code, k.name)), None)


def kind_for_name(layer_name: str) -> RefKind:
    """The kind a layer's name implies (其他 when none does)."""
    for k in REF_KINDS:
        if any(w in layer_name for w in k.keywords):
            return k
    return REF_KINDS[-1]


def parse_style(text: str | None, base: dict) -> dict:
    """'color=#00AA00, weight=3, hatch=否' over `base`; a StyleError names what is wrong."""
    out = dict(base)
    for part in re.split(r"[,，;；]", text or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise StyleError(f"样式“{part.strip()}”应写成 键=值，如 color=#1B7F3B；可用的键：{_keys()}")
        key, value = (x.strip() for x in part.split("=", 1))
        if key not in STYLE_KEYS:
            raise StyleError(f"未知的样式键“{key}”；可用的键：{_keys()}")
        out[key] = _value(key, value)
    return out


def _keys() -> str:
    return "、".join(f"{k}（{v}）" for k, v in STYLE_KEYS.items())


def _value(key: str, value: str):
    if key in ("color", "fill_color"):
        if not _COLOR.match(value):
            raise StyleError(f"{STYLE_KEYS[key]}“{value}”应为 #RRGGBB 形式，如 #1B7F3B")
        return value.upper()
    if key in ("weight", "fill_opacity"):
        try:
            f = float(value)
        except ValueError:
            f = float("nan")
        hi = 10.0 if key == "weight" else 1.0
        if not (0 <= f <= hi):
            raise StyleError(f"{STYLE_KEYS[key]}“{value}”应为 0 到 {hi:g} 之间的数字")
        return f
    if key == "hatch":
        if value.lower() in ("1", "true", "yes", "是", "y"):
            return True
        if value.lower() in ("0", "false", "no", "否", "n", ""):
            return False
        raise StyleError(f"斜线填充“{value}”应为 是 或 否")
    if not _DASH.match(value):  # dash
        raise StyleError(f"虚线“{value}”应为空格分隔的数字，如 6 4")
    return value


def style_of(kind: str, overrides: dict | None = None) -> dict:
    """A stored layer's complete style (a stored style may lack keys added later)."""
    k = ref_kind(kind) or REF_KINDS[-1]
    return {**k.style, **(overrides or {})}
