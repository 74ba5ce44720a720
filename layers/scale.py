"""A metric-only scale bar for every map, and the zoom buttons' titles in Chinese.

folium's `control_scale=True` adds Leaflet's default scale, which shows miles and feet
next to metres; a Chinese bureau measures in metres and kilometres only. Leaflet's zoom
buttons carry the titles "Zoom in"/"Zoom out" (shown on hover)."""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template


class MetricScale(MacroElement):
    """`L.control.scale({imperial: false})` on the parent map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, maxWidth: 160, position: "bottomleft"})
            .addTo({{ this._parent.get_name() }});
        (function (zc) {
            if (!zc) { return; }
            zc._zoomInButton.title = "放大"; zc._zoomInButton.setAttribute("aria-label", "放大");
            zc._zoomOutButton.title = "缩小"; zc._zoomOutButton.setAttribute("aria-label", "缩小");
        })({{ this._parent.get_name() }}.zoomControl);
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


def metric_scale(m: folium.Map) -> folium.Map:
    MetricScale().add_to(m)
    return m
