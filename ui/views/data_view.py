"""数据管理: bring in a document (review, link to places, commit or revise), site
layers and ledgers (preview, then import), and exports. Nothing is written before
the user commits; every commit is one transaction."""

from __future__ import annotations

import hashlib
import html
import logging
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from domain import permissions as perm
from domain.categories import category_names
from ingest import review as rv
from ingest.docparse import DocParseError, formats_help, suffixes
from ingest.report import ImportFailed, Report
from onemap import services, settings
from onemap.kinds import site_kinds
from store.repo import StoreError
from ui import auth, boundary, data, nav
from ui import basemap as basemap_ui
from ui.common import file_size, table
from ui.uploads import uploaded_files
from ui.views.basemap_admin import basemap_tab
from ui.views.datum_view import datum_tab
from ui.views.map_view import base_map
from ui.views.reflayer_view import reference_tab
from ui.views.units_view import units_tab
from ui.views.water_view import water_tab

CRS_CHOICES = {
    "EPSG:4326": "WGS84 经纬度",
    "EPSG:4490": "CGCS2000 经纬度",
    "EPSG:4548": "CGCS2000 高斯-克吕格 3度带 中央经线117°（不带带号）",
    "EPSG:4527": "CGCS2000 高斯-克吕格 3度带 第39带（东坐标带带号）",
    "EPSG:2384": "西安80 高斯-克吕格 3度带 中央经线117°（不带带号，须先设置七参数）",
    "EPSG:2363": "西安80 高斯-克吕格 3度带 第39带（须先设置七参数）",
    "EPSG:2436": "北京54 高斯-克吕格 3度带 中央经线117°（不带带号，须先设置七参数）",
    "EPSG:2415": "北京54 高斯-克吕格 3度带 第39带（须先设置七参数）",
}
KIND_NAMES = {k.code: k.name for k in site_kinds()}


def inbox() -> Path:
    """Uploaded files are kept here (nothing the user brought in is lost)."""
    d = settings.data_dir() / "inbox"
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_upload(upload) -> Path:
    data_bytes = upload.getvalue()
    digest = hashlib.sha256(data_bytes).hexdigest()[:12]
    path = inbox() / f"{digest}_{Path(upload.name).name}"
    path.write_bytes(data_bytes)
    return path


def _text(v) -> str:
    """A value in a table cell: nothing for a missing one (never the word "None")."""
    return "" if v is None else "、".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)


def report_table(report: Report) -> None:
    if report.errors:
        st.error(f"发现 {len(report.errors)} 处错误，未写入任何数据。请修改后重试：")
        st.dataframe(table(pd.DataFrame([{"行/位置": p.row, "列": p.column, "值": p.value, "问题": p.problem,
                                          "修改方法": p.fix} for p in report.errors])), hide_index=True, width="stretch")
    if report.warnings:
        st.warning("提示：" + "；".join(f"{p.row} {p.column} {p.problem}" for p in report.warnings))


def render() -> None:
    region = data.region()
    st.markdown("### 数据管理")
    st.caption(f"当前区域：{html.escape(region.name)}（{region.adcode}）。上传的文件保存在数据目录的 inbox 中。")
    actor = auth.current()
    # only what the signed-in role may do (the services refuse the rest anyway)
    parts = [(name, fn) for name, fn, action in (
        ("导入文件（整改清单/工作要点）", lambda: document_tab(region), perm.REVISE),
        ("导入点位图层", layer_tab, perm.IMPORT), ("导入任务台账", ledger_tab, perm.IMPORT),
        ("水质监测数据", lambda: water_tab(save_upload), perm.IMPORT),
        ("单位", units_tab, perm.REVISE),
        ("参考图层", lambda: reference_tab(CRS_CHOICES, save_upload), perm.IMPORT),
        ("底图", basemap_tab, perm.IMPORT), ("坐标转换参数", datum_tab, perm.DATUM),
        ("导出", export_tab, perm.EXPORT), ("备份与恢复", backup_tab, perm.RESTORE)) if perm.allowed(actor, action)]
    if not parts:
        st.info(f"“{actor.role if actor else '未登录'}”角色没有数据管理权限。")
        return
    for tab, (_name, fn) in zip(st.tabs([n for n, _ in parts]), parts, strict=True):
        with tab:
            fn()


# ----------------------------------------------------------------------------- documents
def document_tab(region) -> None:
    if st.session_state.pop("_doc_to_map", False):
        nav.go("map")
    msg = st.session_state.pop("doc_done", None)
    if msg:
        st.success(msg, icon=":material/check_circle:")
        if nav.has("map"):  # the press is kept by its callback: the button is gone on the next run
            st.button("在一张图上查看", key="doc_to_map",
                      on_click=lambda: st.session_state.__setitem__("_doc_to_map", True))
    up = st.file_uploader("上传文件（PDF、Word 或文本）", type=suffixes(), key="doc_upload", help=formats_help())
    c1, c2 = st.columns([2, 1])
    short = c1.text_input("文件简称（条目编号前缀，如“省督察整改清单”；留空则自动生成；同一简称再次导入即为修订）",
                          key="doc_short")
    c2.button("解析", type="primary", disabled=up is None, key="doc_parse", on_click=_parse)
    if up is not None:  # named from the server's copy: what 解析 will read, once the upload has arrived
        c1.caption(f"已上传：“{up.name}”（{file_size(up.size)}）")
    refused = st.session_state.get("doc_error")
    if refused:
        st.error(refused)
        return
    review: rv.Review | None = st.session_state.get("review")
    if review is None:
        st.info("上传新一年的工作要点、整改方案或督察反馈，解析后逐项核对、关联点位，确认后一次写入。")
        return
    doc = review.doc
    if review.rows.empty:  # no title, genre or short name to speak of: say so, offer to start again
        st.error("没有识别出任何条目：文件中没有带编号的任务或问题。请确认上传的是整改清单或工作要点"
                 "（扫描件请先做文字识别），然后重新上传。")
        if st.button("放弃本次导入", key="doc_discard"):
            st.session_state.pop("review", None)
            st.rerun()
        return
    if short.strip() and short.strip() != doc.short_name:
        services.refresh_review(review, short_name=short.strip())
    st.markdown(f"**《{html.escape(doc.title)}》** · {doc.genre} · 简称“{html.escape(doc.short_name)}” · "
                f"{len(review.rows)} 条（含措施/子项）")
    if review.exists:
        st.info(f"库中已有“{doc.short_name}”：本次按**修订**处理——逐条比对，已有任务的状态记录保留，删除的条目归档。")
    if doc.other_city:  # the whole warning where it is seen first (the hints table cuts long lines)
        st.warning(next((w["message"] for w in doc.warnings if w["message"].startswith("这份文件看来是")),
                        f"这份文件看来是{doc.other_city}的"), icon=":material/warning:")
    if doc.warnings:
        with st.expander(f"解析提示（{len(doc.warnings)} 条）", expanded=True):
            st.dataframe(table(rv.warnings_table(doc)), hide_index=True, width="stretch")
    if doc.targets:
        with st.expander(f"主要目标（{len(doc.targets)} 项，是指标而非任务，不导入为任务）", expanded=False):
            st.dataframe(table(rv.targets_table(doc)), hide_index=True, width="stretch")

    st.markdown("#### 1. 核对条目")
    labels = rv.column_labels(doc.genre)

    def label(column: str) -> str:
        return labels.get(column, column)

    st.caption(f"直接修改单元格；{label('整改时限')}保留原文，时限日期可改。“上级”是所属问题/任务的行号。")
    inferred = rv.inferred_rows(review.rows)
    if inferred:
        st.caption(f"第{'、'.join(map(str, inferred))}行文中没有写{label('整改时限')}，按默认推定（已勾选“时限推定”，"
                   f"写入后仍记为推定）：如文件别处写了时限，请改写。")
    edited = st.data_editor(
        review.rows, key="review_editor", hide_index=True, width="stretch", height=360, num_rows="fixed",
        disabled=["行", "部分"],
        column_config={
            "时限日期": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "长期坚持": st.column_config.CheckboxColumn(),
            "时限推定": st.column_config.CheckboxColumn(
                help="文中没有写时限，按默认（工作要点为当年年底）推定；改写时限后即为文中时限"),
            "层级": st.column_config.SelectboxColumn(options=list(rv.CN_LEVEL)),
            "类别": st.column_config.SelectboxColumn(options=category_names()),
            "内容": st.column_config.TextColumn(width="large"),
            **{c: st.column_config.TextColumn(label=t) for c, t in labels.items()},
        })
    if not edited.equals(review.rows):
        review.rows = rv.deadline_edits(review.rows, edited.reset_index(drop=True))
        services.refresh_review(review)
    with st.expander("修改单条（适合较长的文字）"):
        f1, f2 = st.columns([1, 2])
        row_no = f1.selectbox("行", list(review.rows["行"]), key="edit_row",
                              format_func=lambda r: f"{r} {_label(review.rows, r)}")
        field = f2.selectbox("字段", ["标题", "内容", "整改目标", "整改时限", "责任单位", "验收单位", "编号", "类别"],
                             key="edit_field", format_func=label)
        current = review.rows.loc[review.rows["行"] == row_no, field].iloc[0]
        value = st.text_area("改为", value=rv._cell(current), key=f"edit_value_{row_no}_{field}")
        if st.button("保存修改", key="edit_go"):
            _apply(review, lambda r: rv.set_cell(r, int(row_no), field, value))
    with st.expander("合并或拆分条目"):
        m1, m2, m3 = st.columns(3)
        src = m1.number_input("把第几行", min_value=1, step=1, key="merge_src")
        dst = m2.number_input("并入第几行", min_value=1, step=1, key="merge_dst")
        if m3.button("合并", key="merge_go"):
            _apply(review, lambda r: rv.merge_rows(r, int(src), int(dst)))
        s1, s2, s3 = st.columns(3)
        row = s1.number_input("拆分第几行", min_value=1, step=1, key="split_row")
        at = s2.text_input("从这几个字开始拆出新条目", key="split_at")
        if s3.button("拆分", key="split_go"):
            _apply(review, lambda r: rv.split_row(r, int(row), at.strip()))

    st.markdown("#### 2. 关联点位")
    if len(review.links):
        st.caption("按地名匹配到的点位：置信度 1.0 为名称或别名完全一致，0.8 为同类地名的变体，0.6 为部分相同，请核对。")
        links = st.data_editor(review.links, key="links_editor", hide_index=True, width="stretch",
                               disabled=["行", "条目", "点位编号", "点位", "匹配文字", "置信度"],
                               column_config={"采纳": st.column_config.CheckboxColumn(),
                                              "置信度": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                     format="%.1f")})
        review.links = links
    else:
        st.caption("文字中没有出现已知点位的名称。")
    manual_link_section(review)
    candidates_section(review, region)

    st.markdown("#### 3. 新单位")
    if len(review.units):
        places = services.unit_place_labels(review.units["所属"])
        if review.exists:
            st.caption("修订中出现的新单位默认不勾选：请核对它确是新单位（而不是被误读的注释或括号说明），"
                       "选好所属区县或管理区后勾选“确认”；不是单位的，请在上方表格中从“责任单位”里删去。")
        else:
            st.caption("这些单位库中还没有：请确认它们所属的区县或管理区（用于按地区汇总）。")
        if any(c not in places or places[c].endswith("（外市）") for c in review.units["所属"]):
            st.caption(f"所属标“（外市）”的，是文件中写明的其他城市或其区县，不计入{region.name}各区县的统计；"
                       f"如实为{region.name}的单位，请改选所属。")
        review.units = st.data_editor(
            review.units, key="units_editor", hide_index=True, width="stretch", disabled=["单位"],
            column_config={"所属": st.column_config.SelectboxColumn(options=list(places),
                                                                   format_func=lambda c: places.get(c, c)),
                           "确认": st.column_config.CheckboxColumn()})
        doubts = [f"“{n}”{rv.unit_doubt(n)}" for n in review.units["单位"] if rv.unit_doubt(n)]
        if doubts:
            st.warning("以下新单位没有预先勾选：" + "；".join(doubts) + "。请在上方表格中把它改成正确的单位名称"
                       "（例如把验收单位移到“验收单位”一栏），或确认无误后勾选。")
    else:
        st.caption("所有单位都已在库中。")

    if review.exists:
        st.markdown("#### 4. 修订内容")
        try:
            plan = services.plan_review_revision(review)
        except (services.ServiceError, StoreError) as exc:  # anything else: the page's boundary (ui/boundary.py)
            st.error(f"无法比对：{exc}")
            return
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("新增", len(plan.added))
        c2.metric("修改", len(plan.changed))
        c3.metric("删除（归档）", len(plan.removed))
        c4.metric("不变", plan.unchanged)
        if plan.changed:
            st.dataframe(pd.DataFrame([{"条目": c.ref, "字段": k, "原来": _text(o), "修订后": _text(n)}
                                       for c in plan.changed for k, (o, n) in c.fields.items()]),
                         hide_index=True, width="stretch")
        if plan.added:
            st.caption("新增：" + "、".join(p.split("|", 1)[1] for p in plan.added))
        if plan.removed:
            st.caption("归档：" + "、".join(ref for _, ref in plan.removed))

    c1, c2 = st.columns([1, 3])
    if c1.button("确认写入" if not review.exists else "应用修订", type="primary", key="doc_commit"):
        try:
            counts = services.commit_review(auth.current(), review)
        except ImportFailed as exc:
            report_table(exc.report)
            return
        except services.ServiceError as exc:
            st.error(str(exc))
            return
        data.after_write()
        st.session_state.pop("review", None)
        st.session_state["doc_done"] = f"已写入《{doc.title}》：" + "，".join(f"{k} {v}" for k, v in counts.items())
        st.rerun()
    if c2.button("放弃本次导入", key="doc_discard"):
        st.session_state.pop("review", None)
        st.rerun()


@boundary.guarded("解析文件")
def _parse() -> None:
    """解析, in the button's callback: it runs before the page, so a press is never lost to the
    rerun of an upload that arrives meanwhile. A refusal is kept (with the file's name) until the
    next 解析; the previous review is dropped either way."""
    up = st.session_state.get("doc_upload")
    st.session_state.pop("doc_error", None)
    st.session_state.pop("review", None)
    st.session_state.pop("review_editor", None)
    if up is None:
        st.session_state["doc_error"] = "请先选择要解析的文件。"
        return
    short = (st.session_state.get("doc_short") or "").strip()
    path = save_upload(up)
    try:
        st.session_state["review"] = services.start_review(path, short_name=short or None)
    except DocParseError as exc:
        st.session_state["doc_error"] = (f"“{up.name}”" + (str(exc) if str(exc).startswith("无法")
                                                          else f"无法读取：{exc}"))
    except OSError:
        logging.getLogger(__name__).exception("reading an uploaded document")
        st.session_state["doc_error"] = f"“{up.name}”无法读取：文件无法打开，请重新上传"


def manual_link_section(review: rv.Review) -> None:
    """手动关联: link any row to any site of the store (searched by name) when the text did not
    name it; unlinking is unticking 采纳 above."""
    sites = data.sites()
    if sites.empty:
        return
    names = dict(zip(sites["id"], sites["name"], strict=True))
    with st.expander("手动关联点位（文字中没有写出点位名称时）", expanded=bool(st.session_state.get("ml_msg"))):
        msg = st.session_state.pop("ml_msg", None)
        if msg:
            st.success(msg, icon=":material/check_circle:")
        c1, c2, c3 = st.columns([3, 3, 1], vertical_alignment="bottom")
        c1.selectbox("条目（行）", list(review.rows["行"]), key="ml_row",
                     format_func=lambda r: f"{r} {_label(review.rows, r)}")
        c2.multiselect("点位（可输入名称搜索）", list(names), key="ml_sites",
                       format_func=lambda i: f"{names.get(i, i)}（{i}）", placeholder="选择点位")
        c3.button("添加关联", key="ml_go", on_click=_add_manual_links, args=(names,))


@boundary.guarded("手动关联点位")
def _add_manual_links(names: dict[str, str]) -> None:
    review = st.session_state.get("review")
    row, chosen = st.session_state.get("ml_row"), st.session_state.get("ml_sites") or []
    if review is None or row is None or not chosen:
        st.session_state[boundary.PENDING] = "未关联：请选择条目和至少一个点位。"
        return
    try:
        for sid in chosen:
            review.links = rv.add_manual_link(review.links, review.rows, int(row), sid, names.get(sid, sid))
    except ValueError as exc:
        st.session_state[boundary.PENDING] = f"未关联：{exc}"
        return
    st.session_state.pop("links_editor", None)  # the table above is drawn again from the new links
    st.session_state["ml_sites"] = []
    st.session_state["ml_msg"] = (f"已将第 {row} 行“{_label(review.rows, int(row))}”关联到："
                                  + "、".join(names.get(i, i) for i in chosen) + "（确认写入时保存）。")


def _label(rows: pd.DataFrame, row: int) -> str:
    r = rows[rows["行"] == row].iloc[0]
    return f"{rv._cell(r['编号'])} {rv._cell(r['标题'])[:20]}"


def _apply(review: rv.Review, change) -> None:
    try:
        review.rows = change(review.rows)
    except ValueError as exc:
        st.error(str(exc))
        return
    services.refresh_review(review)
    st.session_state.pop("review_editor", None)
    st.rerun()


def candidates_section(review: rv.Review, region) -> None:
    if not len(review.candidates):
        return
    st.markdown("**未匹配的地名**：勾选“新建”并给出位置，即在库中新建点位并与相关条目关联。")
    cands = review.candidates.copy()
    cands["类型"] = cands["类型"].map(lambda c: KIND_NAMES.get(c, c))
    edited = st.data_editor(
        cands, key="cands_editor", hide_index=True, width="stretch", disabled=["地名", "涉及行"],
        column_config={"新建": st.column_config.CheckboxColumn(),
                       "类型": st.column_config.SelectboxColumn(options=list(KIND_NAMES.values())),
                       "坐标系": st.column_config.SelectboxColumn(options=list(CRS_CHOICES)),
                       "经度": st.column_config.NumberColumn(format="%.6f", help="或投影坐标 X（东）"),
                       "纬度": st.column_config.NumberColumn(format="%.6f", help="或投影坐标 Y（北）")})
    code_of = {v: k for k, v in KIND_NAMES.items()}
    edited["类型"] = edited["类型"].map(lambda n: code_of.get(n, n))
    review.candidates = edited
    with st.form("cand_form"):
        st.markdown("新建点位（也可直接在上表中填写）")
        f1, f2, f3 = st.columns(3)
        pick = f1.selectbox("地名", list(edited["地名"]), key="cand_form_pick")
        kind = f2.selectbox("类型", list(KIND_NAMES.values()), key="cand_form_kind")
        crs = f3.selectbox("坐标系", list(CRS_CHOICES), format_func=lambda c: CRS_CHOICES[c], key="cand_form_crs")
        g1, g2, g3 = st.columns(3)
        name = g1.text_input("名称（默认同地名）", key="cand_form_name")
        w, so, e, n = region.bbox  # an example inside the city, not Streamlit's "None"
        x = g2.number_input("经度 / X（东）", value=None, format="%.6f", key="cand_form_x",
                            placeholder=f"如 {(w + e) / 2:.6f}")
        y = g3.number_input("纬度 / Y（北）", value=None, format="%.6f", key="cand_form_y",
                            placeholder=f"如 {(so + n) / 2:.6f}")
        if st.form_submit_button("设为新建"):
            i = review.candidates.index[review.candidates["地名"] == pick][0]
            for col, v in (("新建", True), ("类型", code_of[kind]), ("名称", name.strip() or pick), ("坐标系", crs),
                           ("经度", x), ("纬度", y)):
                review.candidates.at[i, col] = v
            st.session_state.pop("cands_editor", None)
            st.rerun()
    pending = [n for n, new in zip(review.candidates["地名"], review.candidates["新建"], strict=True) if new]
    if not pending:
        return
    st.caption("坐标系：" + "；".join(f"{k} = {v}" for k, v in CRS_CHOICES.items()))
    which = st.selectbox("在地图上点击以定位：", pending, key="cand_pick")
    bm = basemap_ui.chosen()  # the basemap chosen on the map pages (URL bm)
    basemap_ui.notice(bm)
    m = base_map(region, bm)
    out = st_folium(m, key="cand_map", height=360, use_container_width=True, returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked")
    if click and st.session_state.get("_cand_click") != (which, click["lat"], click["lng"]):
        st.session_state["_cand_click"] = (which, click["lat"], click["lng"])
        i = review.candidates.index[review.candidates["地名"] == which][0]
        lon, lat = bm.datum.back(click["lng"], click["lat"])  # a click on 高德/腾讯 is GCJ-02: stored as WGS84
        review.candidates.at[i, "经度"] = round(lon, 6)
        review.candidates.at[i, "纬度"] = round(lat, 6)
        review.candidates.at[i, "坐标系"] = "EPSG:4326"
        st.session_state.pop("cands_editor", None)
        st.rerun()


# ----------------------------------------------------------------------------- layers and ledgers
def _preview_and_import(kind_label: str, key: str, importer_kwargs) -> None:
    """Check and preview, then import — the file that was previewed, and only it: a preview
    belongs to one upload (a new file needs its own check), and both buttons run in their
    callbacks (a press is never lost to the upload's own rerun)."""
    done = st.session_state.pop(f"{key}_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    up = st.file_uploader(kind_label, key=f"{key}_upload",
                          type=["geojson", "json", "zip", "gpkg", "kml", "kmz", "csv", "xlsx", "xls"])
    importer_kwargs()  # the options, drawn; the callbacks read them from the session
    if up is None:
        return
    st.caption(f"已上传：“{up.name}”（{file_size(up.size)}）")
    c1, c2 = st.columns(2)
    c1.button("检查并预览", key=f"{key}_check", on_click=_check_file, args=(key,))
    result = st.session_state.get(f"{key}_result")
    if result is None or result[0] != _fingerprint(key, up):  # no preview yet of this file with these options
        return
    _, status, payload = result
    if status == "error":
        report_table(payload)
        return
    out = payload
    st.success(f"检查通过（“{up.name}”）：" + "，".join(f"{k} {v}" for k, v in out.counts.items()))
    if out.preview:
        place = {p.code: p.name for p in data.region().places.all()}  # the county's name, not its code
        st.dataframe(table(pd.DataFrame([{"处理": p.action, "编号": p.site_id, "类型": p.record.kind,
                                          "名称": p.record.name,
                                          "区县": place.get(p.record.county_code, p.record.county_code)}
                                         for p in out.preview])),
                     hide_index=True, width="stretch", height=240)
    report_table(out.report)
    c2.button("确认导入", type="primary", key=f"{key}_go", on_click=_import_file, args=(key,))


def _fingerprint(key: str, up) -> tuple[str, str]:
    """What a preview was made of: the upload and the options (another file or another
    coordinate system needs its own check)."""
    return up.file_id, repr(sorted(_import_options(key).items()))


def _import_options(key: str) -> dict:
    """The import options as last chosen on the page (read in the callbacks from the session)."""
    ss = st.session_state
    if key == "ledger":
        return {"document": (ss.get("ledger_name") or "").strip() or None}
    kind, crs = ss.get("layer_kind", "（按文件）"), ss.get("layer_crs", "（按文件）")
    return {"kind": None if kind == "（按文件）" else kind, "crs": None if crs == "（按文件）" else crs,
            "allow_outside": bool(ss.get("layer_outside"))}


@boundary.guarded("检查并预览")
def _check_file(key: str) -> None:
    up = st.session_state.get(f"{key}_upload")
    if up is None:
        return
    path = save_upload(up)
    try:
        out = services.import_file(auth.current(), path, dry_run=True, **_import_options(key))
    except ImportFailed as exc:
        st.session_state[f"{key}_result"] = (_fingerprint(key, up), "error", exc.report)
    else:
        st.session_state[f"{key}_result"] = (_fingerprint(key, up), "ok", out)


@boundary.guarded("导入")
def _import_file(key: str) -> None:
    ss = st.session_state
    up, result = ss.get(f"{key}_upload"), ss.get(f"{key}_result")
    if up is None or result is None or result[0] != _fingerprint(key, up) or result[1] != "ok":
        ss[boundary.PENDING] = "未导入：请先对当前文件“检查并预览”，检查通过后再确认导入。"
        return
    try:
        done = services.import_file(auth.current(), save_upload(up), **_import_options(key))
    except ImportFailed as exc:
        ss[f"{key}_result"] = (_fingerprint(key, up), "error", exc.report)
        return
    data.after_write()
    ss.pop(f"{key}_result", None)
    ss[f"{key}_done"] = f"已导入“{up.name}”：" + "，".join(f"{k} {v}" for k, v in done.counts.items())


def layer_tab() -> None:
    def kwargs():
        c1, c2, c3 = st.columns(3)
        c1.selectbox("点位类型（文件无“类型”列时）", ["（按文件）", *KIND_NAMES.values()], key="layer_kind")
        c2.selectbox("坐标系（文件未带时）", ["（按文件）", *CRS_CHOICES], key="layer_crs",
                           format_func=lambda c: CRS_CHOICES.get(c, c))
        c3.checkbox("允许市外点位（如上游断面）", key="layer_outside")

    _preview_and_import("点位图层：GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ、带坐标的 CSV/XLSX", "layer", kwargs)


def ledger_tab() -> None:
    def kwargs():
        st.text_input("来源文件名称（台账无“来源文件”列时）", key="ledger_name")

    _preview_and_import("任务台账：XLSX 或 CSV（编号、问题/任务、整改目标、整改时限、责任单位、验收单位、关联点位…）",
                        "ledger", kwargs)


EXPORTS = (  # (key, button, download label, suffix, file name stem, mime)
    ("gpkg", "生成 GeoPackage", "下载 GeoPackage", ".gpkg", "一张图", "application/geopackage+sqlite3"),
    ("xlsx", "生成 XLSX 台账", "下载 XLSX 台账", ".xlsx", "任务台账",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("csv", "生成 CSV 台账", "下载 CSV 台账", ".csv", "任务台账", "text/csv"),
    ("parquet", "生成 GeoParquet 图层包", "下载 GeoParquet 图层包（zip）", ".zip", "一张图_GeoParquet", "application/zip"),
    ("cog", "生成任务密度面 COG", "下载任务密度面（COG）", ".tif", "任务密度", "image/tiff"),
)


def export_tab() -> None:
    st.caption("GeoPackage 含全部数据（每类点位一个图层、区县边界、文件、单位、任务、关联、状态记录），可在 QGIS/ArcGIS 打开，"
               "也可用“导入”恢复；XLSX 与 CSV 为任务台账（CSV 为 UTF-8 带 BOM，Excel/WPS 可直接打开中文）；"
               "GeoParquet 图层包为 zip，每个图层一个 .parquet 文件（各类点位及其任务状态、区县统计、热点方格、参考图层，"
               "经纬度 WGS84）；任务密度面为云优化 GeoTIFF（COG，CGCS2000 高斯-克吕格 3 度带，每平方公里任务数，"
               "搜索半径 5 公里，逾期任务加倍计）。")
    ss = st.session_state
    cols = st.columns(3)
    for i, (key, make, label, suffix, stem, mime) in enumerate(EXPORTS):
        c = cols[i % 3]
        if c.button(make, key=f"exp_{key}"):
            ss.pop(f"exp_{key}_error", None)
            try:
                ss[f"exp_{key}_bytes"] = _export_bytes(suffix)
            except services.ServiceError as exc:
                ss.pop(f"exp_{key}_bytes", None)
                ss[f"exp_{key}_error"] = str(exc)
        if ss.get(f"exp_{key}_error"):
            c.error(ss[f"exp_{key}_error"], icon=":material/error:")
        if ss.get(f"exp_{key}_bytes"):
            c.download_button(label, ss[f"exp_{key}_bytes"], key=f"exp_{key}_download",
                              file_name=f"{stem}_{date.today().isoformat()}{suffix}", mime=mime)


def _export_bytes(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        services.export(auth.current(), path)
        return path.read_bytes()


# ----------------------------------------------------------------------------- backup / restore
def backup_tab() -> None:
    """The administrator's backup (one file: every table, evidence files, settings, views,
    regions) and restore (all-or-nothing, confirmed by name of what came back)."""
    st.caption("备份文件包含全部数据：所有数据表、附件与现场照片、设置与已保存的会议视图、当前区域和自建区域。"
               "恢复时先完整检查备份文件，通过后一次性替换现有全部数据；检查不通过则不改动任何数据。"
               "每日定时备份的做法见 README“备份与恢复”。")
    st.markdown("#### 备份")
    if st.button("生成备份文件", key="bk_make"):
        try:
            with st.spinner("正在生成备份…"):
                blob, manifest = services.backup_bytes(auth.current())
        except services.ServiceError as exc:
            st.error(f"未生成备份：{exc}")
        else:
            st.session_state["bk_bytes"] = blob
            rows = sum(t["rows"] for t in manifest["tables"].values())
            st.session_state["bk_note"] = (f"备份已生成：数据库版本 {manifest['schema_revision']}，"
                                           f"{len(manifest['tables'])} 张表共 {rows} 行，附件、照片与区域文件 {len(manifest['files'])} 个。")
    if st.session_state.get("bk_bytes"):
        st.success(st.session_state["bk_note"], icon=":material/check_circle:")
        st.download_button("下载备份文件", st.session_state["bk_bytes"], key="bk_download",
                           file_name=f"一张图备份_{date.today().isoformat()}.zip", mime="application/zip")
    st.markdown("#### 恢复")
    outcome = st.session_state.get("rs_outcome")  # the last restore's, until the next one (a rerun never hides it)
    if outcome:
        (st.success if outcome["ok"] else st.error)(outcome["text"], icon=":material/check_circle:" if outcome["ok"]
                                                    else ":material/error:")
    up = st.file_uploader("选择备份文件（.zip，由“生成备份文件”或 onemap backup 生成）", type=["zip"], key="rs_upload")
    if up is not None:  # named from the server's copy: what 恢复 will use, once the upload has arrived
        st.caption(f"将用于恢复的文件：“{up.name}”（{file_size(up.size)}）")
    # a new key after each restore: the next one is confirmed anew
    sure = st.checkbox("我确认：用该备份整体替换现有全部数据（现有数据将被覆盖）",
                       key=f"rs_sure_{st.session_state.get('rs_round', 0)}")
    st.button("恢复", type="primary", disabled=up is None or not sure, key="rs_go", on_click=_restore)


@boundary.guarded("恢复备份")
def _restore() -> None:
    """恢复, in the button's callback: it runs before the page, so a press is never lost to a
    rerun that arrives meanwhile (an upload finishing, a second click), and its outcome is
    kept in the session until the next restore."""
    up = st.session_state.get("rs_upload")
    sure = st.session_state.get(f"rs_sure_{st.session_state.get('rs_round', 0)}")
    if up is None or not sure:
        st.session_state["rs_outcome"] = {"ok": False, "text": "未恢复：请先选择备份文件并勾选确认。"}
        return
    save_upload(up)  # kept in the inbox, like every upload
    try:
        with uploaded_files([up]) as paths:
            out = services.restore_backup(auth.current(), paths[0], display_name=up.name)
    except services.ServiceError as exc:
        st.session_state["rs_outcome"] = {"ok": False, "text": f"未恢复，现有数据未改动：{exc}"}
        return
    st.cache_data.clear()
    data.after_write()
    st.session_state["rs_outcome"] = {"ok": True, "text": services.restored_text(out)}
    st.session_state["rs_round"] = st.session_state.get("rs_round", 0) + 1
