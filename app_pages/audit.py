"""Audit trail (administrators): every sign-in, upload, withdrawal, task update and account change."""

import datetime as dt

import streamlit as st

from kpis.core.i18n import t
from kpis.output import views
from kpis.store import audit
from kpis.web import ui

lang = ui.lang()
st.title(t("page_audit", lang))
ui.require_admin(lang)
st.caption(t("audit_help", lang))
c1, c2, c3, c4 = st.columns(4)
who = c1.text_input(t("audit_actor", lang), key="audit_actor").strip() or None
action = (
    c2.selectbox(
        t("audit_action", lang),
        ["", *audit.ACTIONS],
        key="audit_action",
        format_func=lambda a: t(audit.ACTION_LABELS[a], lang) if a else t("audit_act_any", lang),
    )
    or None
)
first, last = audit.default_window(ui.reference_day(), dt.date.today())
since = c3.date_input(t("audit_since", lang), value=first, key="audit_since")
until = c4.date_input(t("audit_until", lang), value=last, key="audit_until")
events = audit.events(ui.cursor(), who, action, since, until)
st.dataframe(views.audit_table(events, lang), hide_index=True, width="stretch", placeholder=ui.NO_VALUE)
st.download_button(t("audit_download", lang), audit.to_csv(events), "nhat_ky_kiem_tra.csv", "text/csv", key="audit_download")
