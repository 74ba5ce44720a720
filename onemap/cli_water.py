"""`onemap water`: import a station's monitoring file, show a site's judged series."""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.report import ImportFailed


def cmd_water(args) -> int:
    from domain import water_quality as wq
    from onemap import services, water
    from onemap.cli import _cli_actor, _print_report

    try:
        if args.action == "import":
            out = water.import_water(_cli_actor(), Path(args.file), dry_run=args.dry_run)
            verb = "预览（未写入）" if args.dry_run else "已导入"
            print(f"{verb}水质监测数据：{out.summary()}")
            for p in out.preview:
                if p.action != "不变":
                    r = p.record
                    before = f"（原为 {p.before}）" if p.before is not None else ""
                    print(f"  [{p.action}] {r.site_id} {r.sampled_at:%Y-%m-%d %H:%M} {r.factor} {r.value_text}{before}")
            _print_report(out.report)
            return 0
        ser = water.series(water.find_site(args.site), year=args.year)
        sw = ser.site
        kind = "监测断面" if sw.kind == "section" else "饮用水水源地"
        water_type = "湖库" if sw.water == wq.LAKE else "河流"
        print(f"{sw.name}（{sw.site_id}，{kind}，按{water_type}评价，目标 {wq.class_label(sw.target)}）")
        if ser.sample:
            print("【示例数据】以下监测值为演示用生成数据，不是实测结果。")
        if not ser.monthly:
            print("没有水质监测数据。用 onemap water import 文件 导入。")
            return 0
        for month, v in ser.monthly.items():
            print(f"{month}\t{water.verdict_text(v)}")
        a = water.annual(ser)
        if a is not None:
            print(f"年均值\t{water.verdict_text(a)}")
    except ImportFailed as exc:
        _print_report(exc.report, sys.stderr)
        return 1
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


def register(sub) -> None:
    w = sub.add_parser("water", help="断面水质：导入监测数据、查看评价 / water quality")
    act = w.add_subparsers(dest="action", required=True, metavar="操作")
    i = act.add_parser("import", help="导入监测站提供的 XLSX/CSV（每行一个断面、一次采样，每列一个项目）")
    i.add_argument("file", help=".xlsx、.xls 或 .csv")
    i.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    i.set_defaults(func=cmd_water)
    s = act.add_parser("show", help="按 GB 3838-2002 逐月评价一个断面或水源地")
    s.add_argument("site", help="断面或水源地的编号、名称或别名")
    s.add_argument("--year", type=int, help="只看这一年")
    s.set_defaults(func=cmd_water)
