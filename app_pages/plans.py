"""Plans and targets: each plan in force with its targets, deadlines, versions and export; putting a plan in
from its workbook (preview, commit or cancel); approving the plans communes propose."""

import streamlit as st

from kpis.catalog.model import default_catalog
from kpis.core.i18n import t
from kpis.intake import plan_import
from kpis.intake.plan_template import plan_workbook
from kpis.output import plan_view, views
from kpis.web import ui

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

lang = ui.lang()
st.title(t("page_plans", lang))
with st.container(border=True):
    st.markdown(t("rules_title", lang))
    st.markdown(t("rules_text", lang))
    st.markdown(f"**{t('pace_rule_title', lang)}**")
    st.markdown(t("pace_rule_text", lang))
    st.markdown(f"**{t('board_rank_rule_title', lang)}**")
    st.markdown(t("board_rank_rule_text", lang))

account = ui.current_account()
may_put = account is not None and account.can_upload

if may_put and account is not None:
    st.subheader(t("plan_put_title", lang))
    st.caption(t("plan_put_help" if account.role != "commune" else "plan_propose_help", lang))
    st.download_button(
        t("plan_template_download", lang), plan_workbook(default_catalog()), "mau_ke_hoach.xlsx", XLSX,
        key="plan_template", on_click="ignore",
    )  # fmt: skip
    for line in st.session_state.get("plan_result", []):
        st.success(line)
    round_no = st.session_state.setdefault("plan_round", 0)
    upload = st.file_uploader(t("plan_pick", lang), type=["xlsx", "xlsm", "xls", "ods"], key=f"plan_file_{round_no}")
    if upload is not None:
        data = upload.getvalue()
        checked = plan_import.check_plan(ui.cursor(), data, account.plan_power)
        with st.container(border=True):
            if checked.ok:
                for key, params in plan_view.summary_lines(checked, lang):
                    st.markdown(ui.tx(key, lang, **params))
                found = plan_view.effect(ui.cursor(), checked)
                if found is not None:
                    st.markdown(f"**{ui.tx('plan_preview_targets', lang, communes=found.communes)}**")
                    if found.targets.empty:
                        st.write(t("plan_preview_no_target_change", lang))
                    else:
                        st.dataframe(plan_view.effect_targets_table(ui.cursor(), found, lang), hide_index=True, width="stretch")
                    st.markdown(f"**{t('plan_preview_figures', lang)}**")
                    if found.figures.empty:
                        st.write(t("plan_preview_no_figure_change", lang))
                    else:
                        st.dataframe(plan_view.effect_figures_table(ui.cursor(), found, lang), hide_index=True, width="stretch")
            else:
                st.error(ui.tx("plan_refused", lang, file=upload.name, count=len(checked.problems)))
                st.dataframe(plan_view.problems_table(checked.problems, lang), hide_index=True, width="stretch")
        commit, cancel = st.columns(2)
        label = "plan_commit" if checked.power != "propose" else "plan_commit_propose"
        if checked.ok and commit.button(t(label, lang), type="primary", key="plan_commit"):
            result = plan_import.import_plan(ui.cursor(), data, upload.name, account.username, account.plan_power)
            if result.status == "refused":
                st.session_state["plan_result"] = []
                st.error(ui.md(result.summary(lang)))
                st.dataframe(plan_view.problems_table(result.problems, lang), hide_index=True, width="stretch")
            else:
                st.session_state["plan_result"] = [ui.md(result.summary(lang))]
                st.session_state["plan_round"] = round_no + 1
                st.rerun()
        if cancel.button(t("plan_cancel", lang), key="plan_cancel"):
            st.session_state["plan_result"] = []
            st.session_state["plan_round"] = round_no + 1
            st.rerun()

waiting = plan_import.proposals(ui.cursor()) if may_put else []
if waiting:
    st.subheader(t("plan_proposals_title", lang))
    st.dataframe(ui.view(plan_view.proposals_table, lang), hide_index=True, width="stretch")
    deciding = plan_import.proposals(ui.cursor(), account.plan_power) if account is not None else []
    if account is not None and deciding:
        labels = {v.version: plan_import.plan_label(v.plan, lang) for v in deciding}
        chosen = st.selectbox(t("plan_proposal_pick", lang), list(labels), format_func=labels.__getitem__, key="plan_proposal")
        found, problems = plan_view.proposal_preview(ui.cursor(), next(v for v in deciding if v.version == chosen))
        if found is not None and not found.targets.empty:
            st.dataframe(plan_view.effect_targets_table(ui.cursor(), found, lang), hide_index=True, width="stretch")
        for problem in problems:
            st.warning(ui.md(problem.message(lang)))
        note = st.text_input(t("plan_decision_note", lang), max_chars=500, key="plan_decision_note")
        approve, reject = st.columns(2)
        approved = approve.button(t("plan_approve", lang), key="plan_approve", type="primary")
        rejected = reject.button(t("plan_reject", lang), key="plan_reject")
        if approved or rejected:
            with ui.refusals_shown(lang):
                plan_import.decide(ui.cursor(), chosen, approved, account.username, account.plan_power, note or None)
                done = ui.tx("plan_approved" if approved else "plan_rejected", lang, plan=labels[chosen])
                st.session_state["plan_result"] = [done]
                st.rerun()

plans = ui.view(views.plans_overview)
if plans.empty:
    st.info(t("no_plans", lang))
    st.stop()
st.subheader(t("plan_in_force_title", lang))
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
        st.markdown(f"**{t('plan_versions', lang)}**")
        st.dataframe(
            ui.view(plan_view.versions_table, plan.id, lang), hide_index=True, width="stretch", key=f"plan_versions_{plan.id}"
        )
        st.download_button(
            t("plan_export", lang), ui.view(plan_view.export_bytes, plan.id), f"{plan.id}.xlsx", XLSX,
            key=f"plan_export_{plan.id}", on_click="ignore",
        )  # fmt: skip
