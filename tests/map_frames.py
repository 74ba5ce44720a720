"""Where the tests find a page's Leaflet map: the one-map page's own frame
(ui.map_component, component `ui.map_component.onemap_map`) or streamlit-folium's
(the overview, field and data pages)."""

NAMES = ("onemap_map", "streamlit_folium")
# CSS: any map frame, in document order
MAP_IFRAME = ", ".join(f"iframe[title*='{n}']" for n in NAMES)


def is_map_url(url: str | None) -> bool:
    return bool(url) and "/component/" in url and any(n in url for n in NAMES)


def is_map_component(name: str) -> bool:
    return any(n in name for n in NAMES)
