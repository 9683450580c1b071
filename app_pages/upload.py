"""Upload for staff: preview each file (rows, problems, old and new values), then commit or cancel."""

import streamlit as st

from kpis.core.i18n import t
from kpis.intake import annotate
from kpis.intake.importer import import_file, preview
from kpis.output import views
from kpis.web import ui
from kpis.web.given import page_given

lang = ui.lang()
st.title(t("page_upload", lang))
st.markdown(t("upload_help", lang))
ui.template_download(lang)
account = ui.require_writer(lang)
scope = ui.writer_scope(account)
given = page_given(account, ui.pick_period(st, lang, "upload_period"))

round_no = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    t("upload_pick", lang),
    type=["csv", "txt", "xlsx", "xlsm", "xls", "ods"],
    accept_multiple_files=True,
    key=f"upload_files_{round_no}",
)

for result in st.session_state.get("upload_results", []):
    (st.success if result.accepted else st.error)(ui.md(result.summary(lang)))
    for message in result.warning_messages(lang):
        st.warning(ui.md(message))
    if not result.changes.empty:
        st.dataframe(views.changes_table(result.changes, ui.cursor(), lang), hide_index=True, width="stretch")

ready = []
for i, upload in enumerate(files or []):
    data = upload.getvalue()
    seen = preview(ui.cursor(), data, upload.name, may_write=account.may_write, scope=scope, given=given)
    with st.container(border=True):
        if seen.ok:
            st.success(ui.tx("upload_ready", lang, file=upload.name, rows=len(seen.checked.rows)))
            st.caption(t("upload_preview_note", lang))
            st.dataframe(views.changes_table(seen.changes, ui.cursor(), lang), hide_index=True, width="stretch")
            ready.append((upload.name, data))
        else:
            st.error(ui.tx("result_refused", lang, file=upload.name, count=len(seen.checked.problems)))
            st.dataframe(views.problems_table(seen.checked.problems, lang), hide_index=True, width="stretch")
            if marked := annotate.annotated_copy(data, upload.name, seen.checked, lang):
                st.download_button(t("upload_marked", lang), marked[1], marked[0], key=f"upload_marked_{round_no}_{i}")
        for message in views.problem_lines(seen.checked.warnings, lang):
            st.warning(ui.md(message))

if files:
    commit, cancel = st.columns(2)
    if ready and commit.button(t("upload_commit", lang, count=len(ready)), type="primary", key="upload_commit"):
        results = []
        for name, data in ready:
            results.append(
                import_file(
                    ui.cursor(), data, name, account.username,
                    may_write=account.may_write, scope=scope, given=given, with_changes=True,
                )  # fmt: skip
            )
        st.session_state["upload_results"] = results
        st.session_state["upload_round"] = round_no + 1
        st.rerun()
    if cancel.button(t("upload_cancel", lang), key="upload_cancel"):
        st.session_state["upload_results"] = []
        st.session_state["upload_round"] = round_no + 1
        st.rerun()
