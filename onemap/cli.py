"""`onemap`: data work from the command line (scriptable; exit code 0 on success,
non-zero with a Chinese report on any error, nothing written)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from ingest.report import ImportFailed

DESCRIPTION = """生态环境一张图 数据工具 (eco-onemap data tool)

数据目录由环境变量 ONEMAP_DATA_DIR 指定（默认：仓库下的 var/）。
The data directory is ONEMAP_DATA_DIR (default: var/ in the repository)."""


def _print_report(report, stream=None) -> None:
    text = report.text()
    if text:
        print(text, file=stream or sys.stdout)


def cmd_demo(args) -> int:
    from onemap.demo import build_demo

    if args.remove:
        return _remove_demo(args.yes)

    if args.if_empty:
        from store.db import reader
        from store.queries import store_is_empty

        with reader() as s:
            if not store_is_empty(s):
                from onemap.demo import demo_accounts
                from store.repo import get_meta

                demo = get_meta(s, "demo") == "1"
                print("数据库已有数据，未重建示例数据。")
                if demo:  # a demo store from before accounts existed: its demo accounts
                    demo_accounts()
                return 0
            from store.repo import get_meta

            region = get_meta(s, "region")
            if get_meta(s, "demo_removed") == "1":  # the bureau cleared it: not brought back at the next start
                print("示例数据已清空，未重建（需要时运行 onemap demo）。")
                return 0
            if region and region != "360200":  # another city's store: 景德镇's demo does not belong in it
                print(f"当前区域为 {region}，不载入景德镇市示例数据；请在页面“开始”中按步骤导入本市数据。")
                return 0
    counts = build_demo()
    print("示例数据已重建（景德镇市，点位为示意位置，进展为示例数据）：")
    for k, v in counts.items():
        print(f"  {k}: {v}")
    return 0


def _remove_demo(yes: bool) -> int:
    from onemap import services
    from onemap.demo import remove_demo

    if not yes:
        if not sys.stdin.isatty():
            print("错误：清空示例数据需要确认：加 --yes，或在终端中运行后输入“清空”", file=sys.stderr)
            return 1
        if input("将清空示例数据（全部点位、任务、文件与状态记录，并停用示例账户）。输入“清空”确认：").strip() != "清空":
            print("未清空。")
            return 1
    try:
        counts = remove_demo(_cli_actor())
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print("已清空示例数据：" + "，".join(f"{k} {v}" for k, v in counts.items()) + "。")
    return 0


def _cli_actor():
    """Data work from the server's shell: named in the audit trail by the OS account."""
    from domain.actors import Actor

    return Actor.command_line()


def _cli_admin():
    """Account administration from the server's shell (how the first administrator is made)."""
    from domain.actors import SYSADMIN, Actor

    cli = Actor.command_line()
    return Actor(cli.username, cli.display_name, SYSADMIN)


def _read_password(args, prompt: str = "密码") -> str | None:
    """From --password-stdin (one line) or a prompt asked twice; never echoed, never logged."""
    import getpass

    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"{prompt}：")
    if getpass.getpass(f"再次输入{prompt}：") != first:
        print("错误：两次输入的密码不一致，未写入", file=sys.stderr)
        return None
    return first


def cmd_user(args) -> int:
    from domain.permissions import Refused
    from onemap import accounts

    admin = _cli_admin()
    try:
        if args.action == "list":
            for u in accounts.list_users(admin):
                flags = [x for x, on in (("已停用", not u["启用"]), ("须改密码", u["须改密码"]),
                                          (f"锁定至 {u['锁定至']:%H:%M}" if u["锁定至"] else "", u["锁定至"])) if on]
                sso_id = f"\t统一身份 {u['统一身份账号']}" if u["统一身份账号"] else ""
                print(f"{u['账户']}\t{u['姓名']}\t{u['角色']}\t{u['单位']}\t{u['区县']}\t{'、'.join(flags)}{sso_id}")
            return 0
        if args.action == "add":
            password = _read_password(args, "初始密码")
            if password is None:
                return 1
            accounts.add_user(admin, args.username, args.name or args.username, args.role, password,
                              unit=args.unit or "", county_code=args.county or "")
            print(f"已新建账户 {args.username}（{args.role}），首次登录须修改密码")
        elif args.action == "disable":
            accounts.disable_user(admin, args.username)
            print(f"已停用账户 {args.username}")
        elif args.action == "reset-password":
            password = _read_password(args, "新初始密码")
            if password is None:
                return 1
            accounts.reset_password(admin, args.username, password)
            print(f"已重置账户 {args.username} 的密码，下次登录须修改")
        elif args.action == "set-role":
            accounts.set_role(admin, args.username, args.role, unit=args.unit, county_code=args.county)
            print(f"账户 {args.username} 的角色已改为 {args.role}")
        elif args.action == "set-sso":
            from onemap import sso

            sso.set_subject(admin, args.username, args.subject)
            print(f"账户 {args.username} 已绑定统一身份账号 {args.subject}" if args.subject
                  else f"账户 {args.username} 已解除统一身份账号绑定")
    except (accounts.AccountError, Refused) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


def cmd_token(args) -> int:
    """Access tokens of an account for QGIS/ArcGIS (the OGC API – Features service)."""
    from domain.permissions import Refused
    from onemap import accounts, tokens

    admin = _cli_admin()
    try:
        if args.token_action == "create":
            token = tokens.create(admin, args.name, username=args.username)
            print(f"已为账户 {args.username} 创建访问令牌“{args.name}”。令牌只显示这一次，请立即复制保存：")
            print(token)
            print("在 QGIS/ArcGIS 中：用户名填账户名，密码填此令牌（HTTP Basic）。")
        elif args.token_action == "list":
            rows = tokens.listing(admin, username=args.username)
            if not rows:
                print(f"账户 {args.username} 没有访问令牌")
            for r in rows:
                used = f"{r['最近使用']:%Y-%m-%d %H:%M}" if r["最近使用"] else "未使用"
                state = "有效" if r["有效"] else f"已撤销（{r['撤销时间']:%Y-%m-%d %H:%M}）"
                print(f"{r['编号']}\t{r['名称']}\t{r['开头']}\t创建 {r['创建时间']:%Y-%m-%d %H:%M}\t最近使用 {used}\t{state}")
        elif args.token_action == "revoke":
            name = tokens.revoke(admin, args.id, username=args.username)
            print(f"已撤销账户 {args.username} 的访问令牌“{name}”（编号 {args.id}），使用它的 QGIS/ArcGIS 连接将被拒绝")
    except (accounts.AccountError, Refused) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


def cmd_task(args) -> int:
    """A status change from a script, with the same rules, permissions and audit as the app."""
    from sqlalchemy import select

    from onemap import accounts, services
    from store import models as m
    from store.db import reader

    with reader() as s:
        u = s.scalar(select(m.User).where(m.User.username == args.user))
        if u is None or not u.active:
            print(f"错误：账户“{args.user}”不存在或已停用", file=sys.stderr)
            return 1
        actor = accounts.actor_of(u)
        found = list(s.scalars(select(m.Task).where((m.Task.ref == args.ref) | (m.Task.uid == args.ref))))
    if len(found) != 1:
        print(f"错误：{'找不到' if not found else '有多项'}编号为“{args.ref}”的任务"
              + ("，请使用唯一标识（如 省督察整改清单|main|（十六））" if found else ""), file=sys.stderr)
        return 1
    try:
        done = services.change_status(actor, found[0].id, args.to, note=args.note or "")
    except services.ServiceError as exc:
        print(f"未登记：{exc}", file=sys.stderr)
        return 1
    print(f"已登记：{found[0].ref} {done.from_status} → {done.to_status}（{actor.label}）")
    return 0


def cmd_region(args) -> int:
    from geo.region import RegionError
    from onemap import services

    try:
        region = services.setup_region(_cli_actor(), args.adcode, activate=not args.no_activate)
    except (RegionError, services.ServiceError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    names = "、".join(c["name"] for c in region.meta["counties"])
    print(f"已建立区域：{region.name}（{region.adcode}），{len(region.meta['counties'])} 个县级行政区：{names}")
    print(f"文件：{region.folder}")
    if not region.meta.get("zones"):
        print("提示：未配置开发区/新区等管理区，可在 data/config/regions.json 中按代码添加。")
    return 0


def cmd_init(args) -> int:
    """`onemap init ADCODE`: the first run of a city's own store, as the 开始 page does it."""
    from onemap import settings
    from store.db import reader
    from store.repo import get_meta

    with reader() as s:
        if get_meta(s, "demo") == "1":
            print("错误：当前数据库是景德镇市示例数据。请为本市另用一个数据目录（ONEMAP_DATA_DIR=…），"
                  "或先运行 onemap demo --remove 清空示例数据。", file=sys.stderr)
            return 1
    code = cmd_region(args)
    if code:
        return code
    print(f"数据目录：{settings.data_dir()}")
    print("下一步（均可在网页中完成）：")
    print("  1. 建立管理员账户：onemap user add 账户名 --role 系统管理员（之后在网页“账户”中为同事建账户）")
    print("  2. 启动：scripts/start.sh，以业务管理员登录，首页“开始”列出步骤")
    print("  3. 数据管理 › 导入点位图层（先检查预览，再确认导入；“开始”页有表格模板）")
    print("  4. 数据管理 › 导入文件：工作要点或整改清单（PDF、Word、文本），核对、关联点位后写入")
    print("  5. 可选：数据管理 › 导入任务台账（关联点位）")
    return 0


def cmd_import(args) -> int:
    from onemap import services

    try:
        out = services.import_file(_cli_actor(), Path(args.file), kind=args.kind, crs=args.crs, dry_run=args.dry_run,
                                   allow_outside=args.allow_outside, x_col=args.x, y_col=args.y,
                                   document=args.name, replace=args.replace, layer=args.layer)
    except ImportFailed as exc:
        _print_report(exc.report, sys.stderr)
        return 1
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    verb = "预览（未写入）" if args.dry_run else "已导入"
    if out.kind == "sites":
        print(f"{verb}点位：" + "，".join(f"{k} {v} 个" for k, v in out.counts.items()))
        for p in out.preview:
            if p.action != "不变":
                print(f"  [{p.action}] {p.site_id} {p.record.kind} {p.record.name}")
    elif out.kind == "ledger":
        print(f"{verb}台账：" + "，".join(f"{k} {v}" for k, v in out.counts.items()))
    else:
        print(f"{verb}完整导出：" + "，".join(f"{k} {v}" for k, v in out.counts.items()))
    _print_report(out.report)
    return 0


def cmd_import_doc(args) -> int:
    from ingest.docparse import DocParseError
    from onemap import services

    try:
        doc = services.parse_doc(Path(args.file), short_name=args.name)
    except (DocParseError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(doc.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(f"《{doc.title}》（{doc.genre}，简称“{doc.short_name}”）：{len(doc.items)} 条，"
              f"下级措施/子项 {sum(len(i.children) for i in doc.items)} 条，目标指标 {len(doc.targets)} 项，"
              f"警告 {len(doc.warnings)} 条")
        for w in doc.warnings:
            where = f"第{w['page']}页" if w.get("page") else (f"第{w['line']}行" if w.get("line") else "全文")
            print(f"  警告 {where}：{w['message']}  {w['text']}")
        inferred = [it for it in doc.items if it.deadline_inherited and it.deadline.text]
        if inferred:
            print(f"  时限推定：{'、'.join(it.ref for it in inferred)} 文中没有写时限，按“{inferred[0].deadline.text}”"
                  "推定（记为推定，不作为文中时限）")
    if not doc.items:
        print("错误：没有识别出任何条目，未写入", file=sys.stderr)
        return 1
    try:
        import hashlib

        sha = hashlib.sha256(Path(args.file).read_bytes()).hexdigest()
        _doc_id, links = services.commit_doc(_cli_actor(), doc, filename=Path(args.file).name, sha256=sha,
                                             dry_run=args.dry_run)
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"预览（未写入）：可以导入，将自动关联点位 {links} 处" if args.dry_run else f"已写入，自动关联点位 {links} 处")
    return 0


def cmd_export(args) -> int:
    from onemap import services

    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
        path = services.export(_cli_actor(), Path(args.file), as_of=as_of, layer=args.layer)
    except (services.ServiceError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"已导出：{path}")
    return 0


def cmd_deck(args) -> int:
    from exports.deck import DEFAULT_SEQUENCE
    from onemap import meetings

    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"错误：日期“{args.as_of}”格式不对，应为 2026-11-23", file=sys.stderr)
        return 1
    saved = {v["title"]: v for v in meetings.saved_views()}
    names = [v for v in (args.views or "").split(",") if v]
    unknown = [v for v in names if v not in DEFAULT_SEQUENCE and v not in saved]
    if unknown:
        print(f"错误：未知的页面或视图“{'、'.join(unknown)}”，可用：{'、'.join([*DEFAULT_SEQUENCE, *saved])}",
              file=sys.stderr)
        return 1
    # a name of a saved view plays that view; the built-in names are the default meeting slides
    views = [saved[n] if n in saved and n not in DEFAULT_SEQUENCE else n for n in names] or None
    path = meetings.meeting_deck(_cli_actor(), Path(args.file), as_of=as_of, title=args.title, sequence=views)
    print(f"已生成：{path}")
    return 0


def cmd_backup(args) -> int:
    from onemap import services

    try:
        manifest = services.backup(_cli_actor(), Path(args.file))
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(f"已备份：{args.file}（数据库版本 {manifest['schema_revision']}，{len(manifest['tables'])} 张表 {rows} 行，"
          f"附件、照片与区域文件 {len(manifest['files'])} 个）")
    return 0


def cmd_restore(args) -> int:
    from onemap import services

    try:
        out = services.restore_backup(_cli_actor(), Path(args.file))
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(services.restored_text(out))
    return 0


def cmd_layer(args) -> int:
    """Reference layers (参考图层): add, list, remove."""
    from onemap import reflayers, services

    try:
        if args.action == "add":
            out = reflayers.add_layer(_cli_actor(), Path(args.file), name=args.name, kind=args.kind, style=args.style,
                                      crs=args.crs, layer=args.layer, dry_run=args.dry_run)
            verb = "预览（未写入）" if args.dry_run else "已导入"
            family = {"Polygon": "面", "LineString": "线"}.get(out.family, out.family)
            print(f"{verb}参考图层“{out.name}”（{reflayers.kind_label(out.kind)}，{family}）：{out.feature_count} 个要素，"
                  f"原坐标系 {out.source_crs}，已转换为 WGS84 存储")
            _print_report(out.report)
        elif args.action == "list":
            frame = reflayers.layers()
            if frame.empty:
                print("没有参考图层。用 onemap layer add 文件 --name 名称 导入。")
            for _, r in frame.iterrows():
                family = {"Polygon": "面", "LineString": "线"}.get(r["geometry_type"], r["geometry_type"])
                print(f"{r['name']}\t{reflayers.kind_label(r['kind'])}\t{family}\t{r['feature_count']} 个要素\t"
                      f"{r['source_file']}\t{r['source_crs']}\t{r['created_at']:%Y-%m-%d %H:%M}\t{r['created_by']}")
        else:
            n = reflayers.remove_layer(_cli_actor(), args.name)
            print(f"已删除参考图层“{args.name}”（{n} 个要素）")
    except ImportFailed as exc:
        _print_report(exc.report, sys.stderr)
        return 1
    except services.ServiceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


def cmd_datum(args) -> int:
    """北京54/西安80 七参数 of the active region: set (checked, stored in the settings, audited) or list."""
    from geo.datums import DatumError
    from onemap import datums, services

    if args.action == "list":
        for r in datums.described():
            print(f"{r['基准']}\t{r['七参数']}\t{r['设置人']}\t{r['设置时间']}")
        return 0
    try:
        p = datums.set_params(_cli_actor(), args.datum, args.towgs84 or "", args.convention)
    except (DatumError, services.ServiceError) as exc:
        print(f"错误：{exc}，未保存", file=sys.stderr)
        return 1
    print(f"已设置{args.datum}七参数：{p.describe()}；此后本区域导入的{args.datum}图层按此转换，并随图层记录")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="onemap", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    d = sub.add_parser("demo", help="重建示例数据（景德镇市）/ rebuild the demo data")
    d.add_argument("--if-empty", action="store_true", help="仅当数据库为空时生成（启动脚本使用）")
    d.add_argument("--remove", action="store_true", help="清空示例数据（点位、任务、文件、状态记录），停用示例账户")
    d.add_argument("--yes", action="store_true", help="与 --remove 同用：不再询问确认")
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("region", help="建立区域（按行政区划代码）/ set up a region by adcode")
    r.add_argument("adcode", help="地级市行政区划代码，如 360200（景德镇市）、360700（赣州市）")
    r.add_argument("--no-activate", action="store_true", help="只生成区域文件，不切换当前区域")
    r.set_defaults(func=cmd_region)

    n = sub.add_parser("init", help="为本市建立一张图（区域 + 下一步）/ first run of a city's own store")
    n.add_argument("adcode", help="地级市行政区划代码，如 360700（赣州市）")
    n.set_defaults(func=cmd_init, no_activate=False)

    i = sub.add_parser("import", help="导入点位图层或任务台账 / import a site layer or task ledger")
    i.add_argument("file", help="GeoJSON、zip(Shapefile)、GeoPackage、KML、CSV、XLSX；或完整导出的 .gpkg")
    i.add_argument("--kind", help="点位类型（文件无“类型”列时必填），如 监测断面")
    i.add_argument("--crs", help="坐标系，如 EPSG:4490、EPSG:4548（文件未带坐标系或表格为投影坐标时）")
    i.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    i.add_argument("--allow-outside", action="store_true", help="允许位于本市范围外的点位（如上游断面）")
    i.add_argument("--x", help="表格中的经度/X 列名")
    i.add_argument("--y", help="表格中的纬度/Y 列名")
    i.add_argument("--layer", help="GeoPackage 中要导入的图层名（文件有多个图层时）")
    i.add_argument("--name", help="台账的来源文件名称（台账无“来源文件”列时使用）")
    i.add_argument("--replace", action="store_true", help="用完整导出文件整体替换现有数据")
    i.set_defaults(func=cmd_import)

    from ingest.docparse import formats_help

    doc = sub.add_parser("import-doc", help="导入任务文件（整改清单/工作要点）/ import an official document",
                         description=f"支持的格式：{formats_help()}")
    doc.add_argument("file", help=f"任务文件：{formats_help()}")
    doc.add_argument("--dry-run", action="store_true", help="只解析并做写入前的全部检查，不写入")
    doc.add_argument("--json", action="store_true", help='输出 JSON：{"items": [...], "warnings": [...]}')
    doc.add_argument("--name", help="文件简称，用于条目编号前缀，如 省督察整改清单")
    doc.set_defaults(func=cmd_import_doc)

    e = sub.add_parser("export", help="导出：.gpkg（全部数据）、.xlsx/.csv（台账）、.html（单文件离线地图）、"
                                      ".parquet/.zip（GeoParquet 图层）、.tif（任务密度面 COG）/ export")
    e.add_argument("file", help="输出文件，扩展名决定格式")
    e.add_argument("--as-of", help="台账状态的截至日期，如 2026-11-23（默认今天）")
    e.add_argument("--layer", help="导出为 .parquet 时的图层名，如 矿山修复点、区县、热点、参考图层_名称")
    e.set_defaults(func=cmd_export)
    b = sub.add_parser("backup", help="备份全部数据到一个文件 / back up everything to one file")
    b.add_argument("file", help="备份文件，如 onemap-20261123.zip")
    b.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="用备份文件整体替换现有数据 / replace the store by a backup")
    rs.add_argument("file", help="onemap backup 生成的备份文件")
    rs.set_defaults(func=cmd_restore)

    k = sub.add_parser("deck", help="生成会议材料 PPTX / build the meeting deck")
    k.add_argument("file", help="输出文件，如 调度会.pptx")
    k.add_argument("--as-of", help="数据截至日期，如 2026-11-23（默认今天）")
    k.add_argument("--title", help="会议名称")
    k.add_argument("--views", help="页面顺序（内置页面或已保存视图的名称），逗号分隔；"
                                    "默认：已保存的视图，没有则 全市总览,各区县情况,逾期问题清单,重点区域")
    k.set_defaults(func=cmd_deck)

    from domain.reflayers import STYLE_KEYS, kind_names

    ly = sub.add_parser("layer", help="参考图层（生态保护红线、水源保护区、河流、道路）/ reference layers")
    lact = ly.add_subparsers(dest="action", required=True, metavar="操作")
    la = lact.add_parser("add", help="导入面或线图层，绘制在点位下方作参考")
    la.add_argument("file", help="GeoJSON、zip(Shapefile)、GeoPackage、KML/KMZ")
    la.add_argument("--name", required=True, help="图层名称，如 生态保护红线（名称决定默认样式）")
    la.add_argument("--kind", help=f"类别（默认按名称判断）：{'、'.join(kind_names())}")
    la.add_argument("--style", help="样式，键=值，逗号分隔，如 color=#1B7F3B,weight=3；可用的键："
                                    + "、".join(f"{k}（{v}）" for k, v in STYLE_KEYS.items()))
    la.add_argument("--crs", help="坐标系，如 EPSG:4490、EPSG:4548（文件未带坐标系时）")
    la.add_argument("--layer", help="GeoPackage 中要导入的图层名（文件有多个图层时）")
    la.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    la.set_defaults(func=cmd_layer)
    ll = lact.add_parser("list", help="列出参考图层")
    ll.set_defaults(func=cmd_layer)
    lr = lact.add_parser("remove", help="删除参考图层（连同其要素）")
    lr.add_argument("name", help="图层名称")
    lr.set_defaults(func=cmd_layer)

    from domain.actors import ROLES

    dt = sub.add_parser("datum", help="北京54/西安80 七参数（本区域）/ 7-parameter datum transformations")
    dact = dt.add_subparsers(dest="action", required=True)
    ds = dact.add_parser("set", help="设置一个基准到 WGS84（CGCS2000）的七参数")
    ds.add_argument("datum", help="北京54 或 西安80")
    ds.add_argument("--towgs84", required=True,
                    help="ΔX,ΔY,ΔZ（米）,εX,εY,εZ（角秒）,尺度（ppm）；以负数开头时写成 --towgs84=-12.3,…")
    ds.add_argument("--convention", choices=["position_vector", "coordinate_frame"], default="position_vector",
                    help="旋转约定：position_vector 位置矢量（默认，PROJ +towgs84）或 coordinate_frame 坐标框架（旋转反号）")
    dact.add_parser("list", help="列出本区域已设置的七参数")
    dt.set_defaults(func=cmd_datum)
    u = sub.add_parser("user", help="账户管理（系统管理员）/ manage accounts")
    uact = u.add_subparsers(dest="action", required=True, metavar="操作")
    ua = uact.add_parser("add", help="新建账户（第一个系统管理员也用它建立）")
    ua.add_argument("username", help="账户名（登录用）")
    ua.add_argument("--name", help="姓名（记录在状态变更与审计中）")
    ua.add_argument("--role", required=True, choices=ROLES, help="角色")
    ua.add_argument("--unit", help="所在单位，如 乐平市生态环境局（填报按责任单位、审核按验收单位）")
    ua.add_argument("--county", help="填报账户所辖区县代码，如 360281（乐平市）")
    ua.add_argument("--password-stdin", action="store_true", help="从标准输入读取初始密码（一行）")
    ua.set_defaults(func=cmd_user)
    ul = uact.add_parser("list", help="列出账户")
    ul.set_defaults(func=cmd_user)
    ud = uact.add_parser("disable", help="停用账户")
    ud.add_argument("username")
    ud.set_defaults(func=cmd_user)
    ur = uact.add_parser("reset-password", help="重置密码（下次登录须修改）")
    ur.add_argument("username")
    ur.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码（一行）")
    ur.set_defaults(func=cmd_user)
    us = uact.add_parser("set-role", help="变更角色（及单位、区县）")
    us.add_argument("username")
    us.add_argument("--role", required=True, choices=ROLES)
    us.add_argument("--unit")
    us.add_argument("--county")
    us.set_defaults(func=cmd_user)
    uo = uact.add_parser("set-sso", help="绑定统一身份账号（OIDC 的 sub；不给则解除绑定）")
    uo.add_argument("username")
    uo.add_argument("subject", nargs="?", default="", help="统一身份认证中的账号标识（sub）")
    uo.set_defaults(func=cmd_user)
    ut = uact.add_parser("token", help="桌面 GIS（QGIS/ArcGIS）访问令牌：创建、列出、撤销")
    tk = ut.add_subparsers(dest="token_action", required=True, metavar="操作")
    tc = tk.add_parser("create", help="创建访问令牌（只显示一次）")
    tc.add_argument("username", help="账户名")
    tc.add_argument("--name", required=True, help="令牌名称，如 “张三的 QGIS”")
    tc.set_defaults(func=cmd_token)
    tl = tk.add_parser("list", help="列出账户的访问令牌")
    tl.add_argument("username")
    tl.set_defaults(func=cmd_token)
    tr = tk.add_parser("revoke", help="撤销访问令牌")
    tr.add_argument("username")
    tr.add_argument("id", type=int, help="令牌编号（见 list）")
    tr.set_defaults(func=cmd_token)

    t = sub.add_parser("task", help="任务状态变更（脚本与批量）/ change a task's status")
    tact = t.add_subparsers(dest="action", required=True, metavar="操作")
    ts = tact.add_parser("status", help="登记状态变更（与网页同样的规则、权限与审计）")
    ts.add_argument("ref", help="任务编号，如 省督察整改清单（十六）")
    ts.add_argument("--to", required=True, help="新状态：整改中、申请销号、已销号、退回、长期坚持")
    ts.add_argument("--note", default="", help="说明（申请销号、退回、长期坚持必填）")
    ts.add_argument("--user", required=True, help="以哪个账户的名义登记（账户名）")
    ts.set_defaults(func=cmd_task)

    from onemap.cli_basemap import register as register_basemap
    from onemap.cli_water import register as register_water

    register_basemap(sub)
    register_water(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """The command line's one boundary: refusals print their Chinese report (exit 1 or 2);
    anything unexpected is logged with its traceback and reported in Chinese (exit 1)."""
    args = build_parser().parse_args(argv)
    from onemap import logs, settings

    logs.setup()
    from onemap import audit

    audit.client_address.set(f"命令行 {_cli_actor().username.removeprefix('os:')}")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("已中断，未完成的操作没有写入数据。", file=sys.stderr)
        return 130
    except settings.SettingError as exc:  # a setting or configuration file to correct, named
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - the boundary: logged with its traceback, never shown raw
        print(logs.unexpected(logging.getLogger("onemap.cli"), f"命令“{args.command}”"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
