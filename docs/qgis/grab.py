"""Run by QGIS (--code): zoom to the county layer, grab the main window and the 矿山修复点 attribute table."""
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface


def attr():
    iface.setActiveLayer(QgsProject.instance().mapLayersByName("区县任务统计")[0])
    iface.zoomToActiveLayer()
    iface.layerTreeView().collapseAllNodes()
    iface.setActiveLayer(QgsProject.instance().mapLayersByName("矿山修复点")[0])
    iface.mapCanvas().refreshAllLayers()


def shot():
    iface.mainWindow().grab().save("/tmp/ogc-qgis/qgis_live_layers.png")
    mine = QgsProject.instance().mapLayersByName("矿山修复点")[0]
    dlg = iface.showAttributeTable(mine)
    QTimer.singleShot(6000, lambda: table(dlg))


def table(dlg):
    dlg.resize(1280, 520)
    dlg.grab().save("/tmp/ogc-qgis/qgis_attribute_table.png")
    iface.actionExit().trigger()


iface.mainWindow().resize(1600, 1000)
QTimer.singleShot(4000, attr)
QTimer.singleShot(25000, shot)
