"""`onemap basemap add|list|remove`: the bureau's own imagery as offline tiles (onemap.basemaps)."""

from __future__ import annotations

import sys
import time


def _progress():
    """A one-line progress bar on stderr (redrawn at most 5 times a second)."""
    state = {"t": 0.0, "start": time.time()}

    def show(done: int, total: int) -> None:
        now = time.time()
        if done < total and now - state["t"] < 0.2:
            return
        state["t"] = now
        frac = done / total if total else 1.0
        bar = "█" * int(frac * 30) + "·" * (30 - int(frac * 30))
        print(f"\r生成瓦片 {bar} {done}/{total}（{frac:.0%}，{now - state['start']:.0f} 秒）", end="",
              file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)
    return show


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def cmd_basemap(args) -> int:
    from onemap import basemaps, services
    from onemap.cli import _cli_actor

    try:
        if args.action == "add":  # recorded in the audit trail as the command line's OS account
            b = basemaps.add_as(_cli_actor(), args.file, args.name, _progress())
            m = basemaps.local_meta(b.id)
            print(f"已添加底图“{b.name}”（{b.id}）：{m['tiles']} 块瓦片，{_size(m['bytes'])}，"
                  f"缩放级别 {m['min_zoom']}–{m['max_zoom']}，源坐标系 {m['source_crs']}。在地图页“底图”中选择。")
        elif args.action == "remove":
            b = basemaps.remove_as(_cli_actor(), args.name)
            print(f"已删除底图“{b.name}”（{b.id}）")
        else:
            rows = basemaps.sources()
            for b in rows:
                extra = ""
                if b.type == "local":
                    m = basemaps.local_meta(b.id)
                    extra = f"  {m['tiles']} 块，{_size(m['bytes'])}，级别 {m['min_zoom']}–{m['max_zoom']}，来自 {m['source_file']}"
                elif b.missing_key:
                    extra = f"  未配置{b.key_label}（{b.key_env}）"
                print(f"{b.id:<16} {b.label}{extra}")
    except (basemaps.BasemapError, services.ServiceError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


def register(sub) -> None:
    bm = sub.add_parser("basemap", help="底图：本单位影像（GeoTIFF/MBTiles）转为离线瓦片 / offline basemaps")
    act = bm.add_subparsers(dest="action", required=True, metavar="操作")
    a = act.add_parser("add", help="由 GeoTIFF（任意坐标系，含 CGCS2000 高斯-克吕格）或 MBTiles 生成离线瓦片")
    a.add_argument("file", help=".tif/.tiff 或 .mbtiles 文件")
    a.add_argument("--name", help="底图名称（默认：文件名）")
    a.set_defaults(func=cmd_basemap)
    act.add_parser("list", help="列出全部可选底图").set_defaults(func=cmd_basemap)
    r = act.add_parser("remove", help="删除一个本地底图（按名称或编号）")
    r.add_argument("name", help="底图名称或编号")
    r.set_defaults(func=cmd_basemap)
