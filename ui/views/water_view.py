"""数据管理 › 水质监测数据: upload a station's file, check and preview it (new / changed /
unchanged values, or the row-level report), then import it. The page only calls
onemap.water and renders; the rules live there."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.dates import cn_date
from ingest.report import ImportFailed
from onemap import services, water
from ui import auth, boundary, data
from ui.common import table

KEY = "water"


def water_tab(save_upload=None) -> None:
    if save_upload is None:
        from ui.views.data_view import save_upload
    from ui.views.data_view import report_table

    ss = st.session_state
    st.caption("监测站提供的水质监测数据（XLSX、XLS、CSV）：每行一个断面、一次采样，每列一个监测项目，单位写在表头"
               "（如 氨氮(mg/L)）或表头下的单位行；断面按编号、名称或别名识别。低于检出限可填 ND、未检出、<0.01、0.01L。"
               "按 GB 3838-2002 评价。先检查预览，确认后才写入；有任何错误则整份不导入。")
    done = ss.pop(f"{KEY}_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    up = st.file_uploader("水质监测数据文件", type=["xlsx", "xls", "csv"], key=f"{KEY}_upload")
    if up is None:
        ss.pop(f"{KEY}_result", None)
        return
    st.caption(f"将检查的文件：“{up.name}”")
    c1, c2 = st.columns(2)
    c1.button("检查并预览", key=f"{KEY}_check", on_click=_check, args=(save_upload,))
    result = ss.get(f"{KEY}_result")
    if result is None or result[0] != up.file_id:  # a preview belongs to this upload, not to its name
        return
    _name, kind, payload = result
    if kind == "refused":
        st.error(f"未导入：{payload}")
        return
    if kind == "error":
        report_table(payload)
        return
    st.info(f"检查通过（尚未写入）：{payload.summary()}")
    changed = [p for p in payload.preview if p.action != "不变"]
    if changed:
        st.dataframe(table(pd.DataFrame([{
            "处理": p.action, "点位编号": p.record.site_id, "采样时间": _when(p.record.sampled_at),
            "项目": p.record.factor, "监测值": p.record.value_text, "原值": p.before or ""} for p in changed])),
            hide_index=True, width="stretch", height=240)
    report_table(payload.report)
    c2.button("确认导入", type="primary", key=f"{KEY}_go", on_click=_commit, args=(save_upload,))


def _run(save_upload, *, dry_run: bool):
    """Check (dry run) or import the upload; a refusal is kept as the upload's result. Returns the
    outcome, or None when there is nothing to report beyond the kept refusal."""
    ss = st.session_state
    up = ss.get(f"{KEY}_upload")
    if up is None:
        return None
    try:
        out = water.import_water(auth.current(), save_upload(up), dry_run=dry_run, file_name=up.name)
    except ImportFailed as exc:
        ss[f"{KEY}_result"] = (up.file_id, "error", exc.report)
        return None
    except services.ServiceError as exc:
        ss[f"{KEY}_result"] = (up.file_id, "refused", str(exc))
        return None
    return up, out


@boundary.guarded("检查水质监测数据")
def _check(save_upload) -> None:
    done = _run(save_upload, dry_run=True)
    if done:
        st.session_state[f"{KEY}_result"] = (done[0].file_id, "ok", done[1])


@boundary.guarded("导入水质监测数据")
def _commit(save_upload) -> None:
    done = _run(save_upload, dry_run=False)
    if done:
        up, out = done
        data.after_write()
        st.session_state.pop(f"{KEY}_result", None)
        st.session_state[f"{KEY}_done"] = f"已导入水质监测数据“{up.name}”：{out.summary()}。"


def _when(t) -> str:
    """2026年1月15日 10:30; a date without a time of day as the date alone."""
    return cn_date(t) + (f" {t:%H:%M}" if (t.hour, t.minute) != (0, 0) else "")


def tab_page() -> None:
    """The tab on a page of its own (tests; 数据管理 shows it as a tab)."""
    water_tab()
