"""One-off generator of data/demo/parks.geojson: illustrative park outlines (regular
polygons around a chosen centre, sized in metres in a GK projection)."""
import json
import math

from pyproj import Transformer

t = Transformer.from_crs(4326, 4548, always_xy=True); inv = Transformer.from_crs(4548, 4326, always_xy=True)
parks = [
 ("PARK-01","江西乐平工业园区","乐平工业园、乐平化工园区、江西乐平化工园区、塔山工业园区、乐平市塔山工业园区","化工",117.0650,28.9750,1600,"名称见整改方案（十）（十五）及工作要点第6项"),
 ("PARK-02","金山工业园区","金山工业园、乐平市金山工业园区","综合",117.1700,28.9900,900,"名称见整改方案（十一）"),
 ("PARK-03","鱼丽工业园区","鱼丽工业平台、鱼丽工业集聚区、昌江区鱼丽工业园区","综合",117.0850,29.2300,900,"名称见整改方案（十一）（十六）"),
 ("PARK-04","景德镇陶瓷工业园区鱼山医药产业园","鱼山医药产业园、景德镇陶瓷工业园区鱼山医药产业园区","医药",117.0700,29.2800,700,"名称见工作要点第6项及附件第23项"),
 ("PARK-05","昌南新区陶瓷工业园","昌南新区陶瓷产业园","陶瓷",117.1300,29.2700,1200,"名称见整改方案（三）；属昌南新区"),
 ("PARK-06","浮梁产业园","浮梁产业园区","陶瓷",117.2300,29.3900,1000,"名称见整改方案（三）"),
 ("PARK-07","湘湖工业基地","浮梁县湘湖工业基地","综合",117.3100,29.2400,800,"名称见整改方案（十七）"),
 ("PARK-08","景德镇高新技术产业开发区","景德镇高新区","航空、先进陶瓷",117.1700,29.3000,600,"名称见整改方案（四十）；属高新区"),
]
feats=[]
for pid,name,aliases,ptype,lon,lat,r,src in parks:
    x,y=t.transform(lon,lat); ring=[]
    for k in range(7):
        a=2*math.pi*k/6+0.3; ring.append([round(v,6) for v in inv.transform(x+r*math.cos(a), y+r*0.75*math.sin(a))])
    ring.append(ring[0])
    feats.append({"type":"Feature","properties":{"编号":pid,"类型":"工业园区","名称":name,"别名":aliases,"园区类型":ptype,
      "示意位置":"是","来源":src+"；范围为示意多边形"},"geometry":{"type":"Polygon","coordinates":[ring]}})
json.dump({"type":"FeatureCollection","name":"parks","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":feats},
          open("data/demo/parks.geojson","w"),ensure_ascii=False,indent=1)
