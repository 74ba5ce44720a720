"""A metric-only scale bar for every map.

folium's `control_scale=True` adds Leaflet's default scale, which shows miles and feet
next to metres; a Chinese bureau measures in metres and kilometres only."""

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
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


def metric_scale(m: folium.Map) -> folium.Map:
    MetricScale().add_to(m)
    return m
