"""Tasks and milestones of the plans: status, due day, days late and lead agency, overdue first."""


import streamlit as st

from kpis.core.i18n import t
from kpis.followup import board, display
from kpis.web import ui

lang = ui.lang()
st.title(t("tasks_page", lang))
plans = ui.view(display.plan_labels, lang)
left, right = st.columns([2, 1])
plan_id = left.selectbox(
    t("tasks_pick_plan", lang), [None, *plans], format_func=lambda p: plans.get(p, t("tasks_all_plans", lang)), key="tasks_plan"
)
as_of = right.date_input(t("tasks_as_of", lang), value=ui.reference_day(), format="DD/MM/YYYY", key="tasks_as_of")
frame = board.board(ui.cursor(), as_of)
for column, (label, value) in zip(st.columns(4), display.metrics(frame, plan_id, lang), strict=True):
    column.metric(label, value)

left, right = st.columns(2)
lead = left.multiselect(
    t("tasks_pick_agency", lang), board.agencies(frame, plan_id), placeholder=t("tasks_pick_all", lang), key="tasks_agency"
)
states = right.multiselect(
    t("tasks_pick_state", lang),
    board.STATES,
    format_func=lambda s: t(board.STATE_LABELS[s], lang),
    placeholder=t("tasks_pick_all", lang),
    key="tasks_state",
)
table = display.task_table(frame, lang, plans, plan_id, lead, states)
st.subheader(t("tasks_heading", lang, count=len(table)))
if table.empty:
    st.info(t("tasks_none", lang))
else:
    task_column = st.column_config.TextColumn(t("tasks_col_task", lang), width="large", pinned=True)
    st.dataframe(
        display.style_states(table, lang),
        hide_index=True,
        width="stretch",
        height="content",
        key="tasks_table",
        column_config={t("tasks_col_task", lang): task_column},
    )

milestones = display.milestone_table(frame, lang, plans, plan_id)
st.subheader(t("tasks_milestones", lang, count=len(milestones)))
st.dataframe(display.style_states(milestones, lang), hide_index=True, width="stretch", height="content", key="tasks_milestones")
st.caption(t("tasks_rules", lang))
