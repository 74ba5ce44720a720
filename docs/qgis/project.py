"""How docs/qgis/*.png were made (issue 17): run with Debian's python3 + python3-qgis (QGIS 3.22.16),
QT_QPA_PLATFORM=offscreen, against the app served on 127.0.0.1:8943 with the demo store:
    python3 docs/qgis/project.py ACCOUNT TOKEN_FILE unused.png http://127.0.0.1:8943/ogc
builds the styled OAPIF layers (the same URIs QGIS's 数据源管理器 writes) and saves /tmp/ogc-qgis/live.qgs; then
    xvfb-run -s "-screen 0 1600x1000x24" qgis --nologo --noplugins --project /tmp/ogc-qgis/live.qgs --code docs/qgis/grab.py
opens it in the real QGIS window and grabs the window and the attribute table."""
import os
import sys

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPalLayerSettings,
    QgsProject,
    QgsRendererCategory,
    QgsRendererRange,
    QgsSymbol,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QFont

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], True)
app.initQgis()
user, tokfile, out, base = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with open(tokfile) as fh:
    tok = fh.read().strip()
COLORS = {"逾期": "#D55E00", "临期": "#E6A700", "整改中": "#0072B2", "长期坚持": "#8E5EA2", "已销号": "#009E73",
          "无任务": "#8C8C8C"}


def layer(typename, title):
    uri = QgsDataSourceUri()
    uri.setParam("url", base)
    uri.setParam("typename", typename)
    uri.setUsername(user)
    uri.setPassword(tok)
    lyr = QgsVectorLayer(uri.uri(False), title, "OAPIF")
    print(title, "valid", lyr.isValid(), "features", lyr.featureCount(), flush=True)
    return lyr


def label(lyr, expr, size=9):
    s = QgsPalLayerSettings()
    s.fieldName = expr
    s.isExpression = True
    fmt = QgsTextFormat()
    fmt.setFont(QFont("Noto Sans CJK SC"))
    fmt.setSize(size)
    buf = QgsTextBufferSettings()
    buf.setEnabled(True)
    buf.setSize(0.8)
    buf.setColor(QColor("white"))
    fmt.setBuffer(buf)
    s.setFormat(fmt)
    lyr.setLabeling(QgsVectorLayerSimpleLabeling(s))
    lyr.setLabelsEnabled(True)


counties = layer("counties", "区县任务统计")
ranges = []
for lo, hi, color in ((-0.5, 0.5, "#FFF5EB"), (0.5, 2.5, "#FDD0A2"), (2.5, 5.5, "#FD8D3C"), (5.5, 99, "#D94801")):
    sym = QgsFillSymbol.createSimple({"color": color, "outline_color": "#4A5A6A", "outline_width": "0.4"})
    ranges.append(QgsRendererRange(lo, hi, sym, f"逾期 {int(lo + 0.5)}–{int(hi - 0.5)}"))
counties.setRenderer(QgsGraduatedSymbolRenderer("逾期", ranges))
label(counties, "\"名称\" || '\\n逾期 ' || \"逾期\" || '，未销号 ' || \"未销号\"", 10)

layers = [counties]
for typename, title in (("park", "工业园区"), ("mine", "矿山修复点"), ("section", "监测断面"), ("water_source", "饮用水水源地")):
    lyr = layer(typename, title)
    cats = []
    for state, color in COLORS.items():
        sym = QgsSymbol.defaultSymbol(lyr.geometryType())
        sym.setColor(QColor(color))
        if lyr.geometryType() == QgsWkbTypes.PointGeometry:
            sym.setSize(3.2)
        cats.append(QgsRendererCategory(state, sym, state))
    lyr.setRenderer(QgsCategorizedSymbolRenderer("状态", cats))
    if typename == "mine":
        label(lyr, "if(\"逾期\" > 0, \"名称\", '')", 8)
    layers.append(lyr)

for lyr in layers:
    QgsProject.instance().addMapLayer(lyr)
ms = QgsMapSettings()
ms.setLayers(list(reversed(layers)))
ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
ext = counties.extent()
ms.setExtent(QgsCoordinateTransform(counties.crs(), ms.destinationCrs(), QgsProject.instance()).transformBoundingBox(ext).buffered(4000))
ms.setOutputSize(QSize(1280, 1000))
ms.setBackgroundColor(QColor("#EEF3F6"))
job = QgsMapRendererSequentialJob(ms)
job.start()
job.waitForFinished()
img = job.renderedImage()
img.save(out, "png")
QgsProject.instance().write("/tmp/ogc-qgis/live.qgs")
print("saved", out, img.width(), img.height(), flush=True)
os._exit(0)
