"""Plans and targets: each plan, its source document, its targets per indicator and year, its deadlines."""

import streamlit as st

from kpis.core.i18n import t
from kpis.output import views
from kpis.web import ui

lang = ui.lang()
st.title(t("page_plans", lang))
with st.container(border=True):
    st.markdown(t("rules_title", lang))
    st.markdown(t("rules_text", lang))
    st.markdown(f"**{t('pace_rule_title', lang)}**")
    st.markdown(t("pace_rule_text", lang))
    st.markdown(f"**{t('board_rank_rule_title', lang)}**")
    st.markdown(t("board_rank_rule_text", lang))

plans = ui.view(views.plans_overview)
if plans.empty:
    st.info(t("no_plans", lang))
    st.stop()
for plan in plans.itertuples(index=False):
    title = plan.title_vi if lang == "vi" else plan.title_en
    with st.expander(ui.md(f"{views.plan_scope(plan.province, plan.commune, lang)} — {title}"), expanded=False):
        st.markdown(f"**{t('plan_source', lang)}:** {ui.md(plan.source)}")
        st.markdown(f"**{t('plan_issuer', lang)}:** {ui.md(plan.issuer)}")
        notes = plan.notes_vi if lang == "vi" else plan.notes_en
        if isinstance(notes, str) and notes:
            st.caption(ui.md(notes))
        targets = ui.view(views.plan_targets_table, plan.id, lang)
        if targets.empty:
            st.write(t("plan_no_targets", lang))
        else:
            st.dataframe(targets, hide_index=True, width="stretch", key=f"plan_targets_{plan.id}")
        deadlines = ui.view(views.plan_deadlines_table, plan.id, lang)
        st.markdown(f"**{t('plan_deadlines', lang)}:** " + ("; ".join(deadlines) if deadlines else t("plan_no_deadlines", lang)))
