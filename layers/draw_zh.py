"""Chinese texts for Leaflet.draw (the selection tools of the field-trip map).

Leaflet.draw reads its texts from `L.drawLocal` when a draw control is created; the
library ships English only. This element replaces them on any map that has the plugin
loaded (and does nothing on the others), so it can sit on every base map."""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from jinja2 import Template

DRAW_LOCAL = {
    "draw": {
        "toolbar": {
            "actions": {"title": "取消绘制", "text": "取消"},
            "finish": {"title": "完成绘制", "text": "完成"},
            "undo": {"title": "删除最后一个点", "text": "删除最后一个点"},
            "buttons": {"polyline": "画折线", "polygon": "画多边形框选", "rectangle": "画矩形框选",
                        "circle": "画圆", "marker": "放置标记", "circlemarker": "放置圆点"},
        },
        "handlers": {
            "circle": {"tooltip": {"start": "按住并拖动以画圆。"}, "radius": "半径"},
            "circlemarker": {"tooltip": {"start": "点击地图放置圆点。"}},
            "marker": {"tooltip": {"start": "点击地图放置标记。"}},
            "polygon": {"tooltip": {"start": "点击地图开始绘制。", "cont": "继续点击以添加顶点。",
                                    "end": "点击第一个点闭合图形。"}},
            "polyline": {"error": "<strong>错误：</strong>边线不能交叉！",
                         "tooltip": {"start": "点击地图开始画线。", "cont": "继续点击以添加顶点。",
                                     "end": "点击最后一个点结束。"}},
            "rectangle": {"tooltip": {"start": "按住并拖动以画矩形。"}},
            "simpleshape": {"tooltip": {"end": "松开鼠标完成绘制。"}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {"save": {"title": "保存修改", "text": "保存"},
                        "cancel": {"title": "取消编辑，放弃修改", "text": "取消"},
                        "clearAll": {"title": "清除全部图形", "text": "全部清除"}},
            "buttons": {"edit": "编辑图形", "editDisabled": "没有可编辑的图形", "remove": "删除图形",
                        "removeDisabled": "没有可删除的图形"},
        },
        "handlers": {
            "edit": {"tooltip": {"text": "拖动控制点以修改图形。", "subtext": "点击“取消”可撤销修改。"}},
            "remove": {"tooltip": {"text": "点击要删除的图形。"}},
        },
    },
}


class DrawLocalZh(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        if (window.L && L.drawLocal) { L.drawLocal = {{ this.local }}; }
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "DrawLocalZh"
        self.local = json.dumps(DRAW_LOCAL, ensure_ascii=False)


def draw_in_chinese(m: folium.Map) -> folium.Map:
    DrawLocalZh().add_to(m)
    return m
