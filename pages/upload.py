"""Upload for staff: check the files, see every problem or the figures they change, then commit."""

import streamlit as st

from kpis import ui, views
from kpis.i18n import t
from kpis.importer import check_file, import_file

lang = ui.lang()
st.title(t("page_upload", lang))
st.markdown(t("upload_help", lang))

round_no = st.session_state.setdefault("upload_round", 0)
who = st.text_input(t("upload_who", lang), key="upload_who", max_chars=80)
files = st.file_uploader(t("upload_pick", lang), type=["csv", "xlsx"], accept_multiple_files=True, key=f"upload_files_{round_no}")

for result in st.session_state.get("upload_results", []):
    (st.success if result.accepted else st.error)(result.summary(lang))
    if not result.changes.empty:
        st.dataframe(views.changes_table(result.changes, ui.cursor(), lang), hide_index=True, width="stretch")

if files:
    con = ui.cursor()
    ready = []
    for upload in files:
        data = upload.getvalue()
        checked = check_file(con, data, upload.name)
        with st.container(border=True):
            if checked.ok:
                st.success(t("upload_ready", lang, file=upload.name, rows=len(checked.rows)))
                ready.append((upload.name, data))
            else:
                st.error(t("result_refused", lang, file=upload.name, count=len(checked.problems)))
                st.dataframe(views.problems_table(checked.problems, lang), hide_index=True, width="stretch")
    if ready and st.button(t("upload_commit", lang, count=len(ready)), type="primary", key="upload_commit"):
        results = [import_file(con, data, name, uploaded_by=who.strip() or t("anonymous", lang)) for name, data in ready]
        st.session_state["upload_results"] = results
        st.session_state["upload_round"] = round_no + 1
        st.rerun()
