"""Record progress on a plan's task or milestone: one update through the form, or a sheet of them."""

import datetime as dt

import streamlit as st

from kpis.core.i18n import t
from kpis.followup import board, display, recording
from kpis.followup.task_sheet import STATUSES
from kpis.output import views
from kpis.web import ui

lang = ui.lang()
st.title(t("tasks_progress_page", lang))
account = ui.require_writer(lang)
con = ui.cursor()
choices = ui.view(display.item_choices, lang)
with st.form("task_progress_form"):
    st.markdown(f"**{t('tasks_form_title', lang)}**")
    code = st.selectbox(t("tasks_form_item", lang), list(choices), format_func=choices.get, key="task_progress_item")
    names = {s: t(board.STATE_LABELS[s], lang) for s in STATUSES}
    status = st.radio(t("tasks_form_status", lang), STATUSES, format_func=names.get, horizontal=True, key="task_progress_status")
    day = st.date_input(t("tasks_form_date", lang), value=dt.date.today(), format="DD/MM/YYYY", key="task_progress_date")
    note = st.text_input(t("tasks_form_note", lang), max_chars=500, key="task_progress_note")
    evidence = st.text_input(t("tasks_form_evidence", lang), max_chars=500, key="task_progress_evidence")
    if st.form_submit_button(t("tasks_form_submit", lang), type="primary", key="task_progress_submit"):
        result = recording.record_update(
            con, code, status, day, note, evidence, account.username, may_write_plan=account.may_write_plan
        )
        (st.success if result.accepted else st.error)(ui.md_lines(result.summary(lang), result.messages(lang)))

st.subheader(t("tasks_upload_title", lang))
st.markdown(t("tasks_upload_help", lang))
st.download_button(
    t("tasks_template", lang), ui.view(recording.template), file_name="tien_do_nhiem_vu.xlsx", key="task_progress_template"
)
round_no = st.session_state.setdefault("task_progress_round", 0)
if done := st.session_state.pop("task_progress_result", None):  # the sheet written on the run before
    (st.success if done.accepted else st.error)(ui.md_lines(done.summary(lang), done.messages(lang)))
upload = st.file_uploader(t("tasks_upload_pick", lang), type=["csv", "xlsx"], key=f"task_progress_file_{round_no}")
if upload is not None:
    checked = recording.check_sheet(ui.cursor(), upload.getvalue(), upload.name, dt.date.today())
    if not checked.ok:
        st.error(ui.tx("result_refused", lang, file=upload.name, count=len(checked.problems)))
        st.dataframe(views.problems_table(checked.problems, lang), hide_index=True, width="stretch", key="task_progress_problems")
    else:
        st.success(ui.tx("tasks_upload_ready", lang, file=upload.name, rows=len(checked.rows)))
        if st.button(t("tasks_upload_commit", lang), type="primary", key="task_progress_commit"):
            result = recording.import_sheet(
                con, upload.getvalue(), upload.name, account.username, may_write_plan=account.may_write_plan
            )
            st.session_state["task_progress_result"] = result
            st.session_state["task_progress_round"] = round_no + 1
            st.rerun()

st.subheader(t("tasks_history", lang))
st.dataframe(display.history_table(con, lang), hide_index=True, width="stretch", key="task_progress_history")
