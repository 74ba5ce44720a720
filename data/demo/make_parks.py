"""Generator of `parks.geojson`: illustrative industrial-park outlines.

The seed documents name the parks but give no boundaries. Each outline is a
regular hexagon (flattened 0.75 north-south) of the given radius in metres around
a chosen centre, computed in CGCS2000 / 3-degree GK CM 117E (EPSG:4548) and stored
in WGS84. Run from the repository root: `python data/demo/make_parks.py`.
"""

import json
import math
from pathlib import Path

from pyproj import Transformer

FWD = Transformer.from_crs(4326, 4548, always_xy=True)
INV = Transformer.from_crs(4548, 4326, always_xy=True)
PARKS = [
    ("PARK-01", "江西乐平工业园区", "乐平工业园、乐平化工园区、江西乐平化工园区、塔山工业园区、乐平市塔山工业园区", "化工",
     117.0650, 28.9750, 1600, "名称见整改方案（十）（十五）及工作要点第6项"),
    ("PARK-02", "金山工业园区", "金山工业园、乐平市金山工业园区", "综合", 117.1700, 28.9900, 900, "名称见整改方案（十一）"),
    ("PARK-03", "鱼丽工业园区", "鱼丽工业平台、鱼丽工业集聚区、昌江区鱼丽工业园区", "综合", 117.0850, 29.2300, 900,
     "名称见整改方案（十一）（十六）"),
    ("PARK-04", "景德镇陶瓷工业园区鱼山医药产业园", "鱼山医药产业园、景德镇陶瓷工业园区鱼山医药产业园区", "医药",
     117.0700, 29.2800, 700, "名称见工作要点第6项及附件第23项"),
    ("PARK-05", "昌南新区陶瓷工业园", "昌南新区陶瓷产业园", "陶瓷", 117.1300, 29.2700, 1200, "名称见整改方案（三）；属昌南新区"),
    ("PARK-06", "浮梁产业园", "浮梁产业园区", "陶瓷", 117.2300, 29.3900, 1000, "名称见整改方案（三）"),
    ("PARK-07", "湘湖工业基地", "浮梁县湘湖工业基地", "综合", 117.3100, 29.2400, 800, "名称见整改方案（十七）"),
    ("PARK-08", "景德镇高新技术产业开发区", "景德镇高新区", "航空、先进陶瓷", 117.1700, 29.3000, 600,
     "名称见整改方案（四十）；属高新区"),
]


def outline(lon: float, lat: float, radius: float) -> list[list[float]]:
    x, y = FWD.transform(lon, lat)
    ring = []
    for k in range(7):
        a = 2 * math.pi * k / 6 + 0.3
        px, py = INV.transform(x + radius * math.cos(a), y + radius * 0.75 * math.sin(a))
        ring.append([round(px, 6), round(py, 6)])
    ring[-1] = ring[0]
    return ring


def main() -> None:
    features = [
        {"type": "Feature",
         "properties": {"编号": pid, "类型": "工业园区", "名称": name, "别名": aliases, "园区类型": ptype,
                        "示意位置": "是", "来源": f"{src}；范围为示意多边形"},
         "geometry": {"type": "Polygon", "coordinates": [outline(lon, lat, r)]}}
        for pid, name, aliases, ptype, lon, lat, r, src in PARKS
    ]
    fc = {"type": "FeatureCollection", "name": "parks",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": features}
    out = Path(__file__).with_name("parks.geojson")
    out.write_text(json.dumps(fc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
