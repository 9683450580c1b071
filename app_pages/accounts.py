"""Accounts: administrators add, disable and reset them; administrators and province officers (for their own
province) import a sheet of accounts, each new one with a one-time password shown here once."""

import streamlit as st

from kpis.core.i18n import t
from kpis.output import views
from kpis.people import accounts
from kpis.people.account_sheet import check_sheet, import_sheet
from kpis.people.account_workbooks import handout_xlsx
from kpis.web import ui

lang = ui.lang()
st.title(t("page_accounts", lang))
manager = ui.require_account_manager(lang)
own = None if manager.is_admin else tuple(s.province_code for s in manager.scopes if s.province_code is not None)
st.dataframe(views.accounts_table(ui.cursor(), lang, own), hide_index=True, width="stretch")  # not cached: accounts change

st.subheader(t("accounts_bulk", lang))
st.caption(t("accounts_bulk_help", lang))
province = None if manager.is_admin else manager.scopes[0].province
if province is not None:
    st.info(ui.tx("accounts_bulk_province", lang, province=province))
template = ui.view(views.account_template_bytes, lang, province)
st.download_button(
    t("accounts_bulk_template", lang), template, "danh-sach-tai-khoan.xlsx", key="accounts_bulk_template", on_click="ignore"
)
done = st.session_state.get(ui.ISSUED_KEY)  # the one-time passwords of the sheet just imported, until "Xong"
if done is not None:
    st.success(ui.md(done.summary(lang)))
    st.warning(t("accounts_bulk_shown_once", lang))
    st.dataframe(views.issued_accounts_table(done.issued, lang), hide_index=True, width="stretch")
    handout = handout_xlsx(done.issued, lang)
    st.download_button(
        t("accounts_bulk_handout", lang), handout, "mat-khau-dung-mot-lan.xlsx", key="accounts_bulk_handout", on_click="ignore"
    )
    if st.button(t("accounts_bulk_finish", lang), key="accounts_bulk_finish"):
        st.session_state.pop(ui.ISSUED_KEY, None)
        st.rerun()
else:
    round_no = st.session_state.setdefault("accounts_bulk_round", 0)
    upload = st.file_uploader(t("accounts_bulk_pick", lang), type=["xlsx", "csv"], key=f"accounts_bulk_file_{round_no}")
    if upload is not None:
        data = upload.getvalue()
        checked = check_sheet(ui.cursor(), data, upload.name, manager)
        problems = checked.problems
        if checked.ok:
            st.success(ui.tx("accounts_bulk_ready", lang, file=checked.file_name, count=len(checked.accounts)))
            st.dataframe(views.planned_accounts_table(checked.accounts, lang), hide_index=True, width="stretch")
            if st.button(
                t("accounts_bulk_commit", lang, count=len(checked.accounts)), type="primary", key="accounts_bulk_commit"
            ):
                result = import_sheet(ui.cursor(), data, upload.name, manager.username, manager)
                if result.accepted:
                    st.session_state[ui.ISSUED_KEY] = result
                    st.session_state["accounts_bulk_round"] = round_no + 1
                    st.rerun()
                problems = result.problems  # refused meanwhile (a username taken since, say): its problems below
        if problems:
            st.error(ui.tx("account_sheet_refused", lang, file=checked.file_name, count=len(problems)))
            st.dataframe(views.problems_table(problems, lang), hide_index=True, width="stretch")

if not manager.is_admin:
    st.stop()

st.subheader(t("accounts_add", lang))
# outside the form, so that the communes offered below are the chosen province's (a form sends its widgets only on submit)
province = ui.pick_province(st, lang, "accounts_province")
with st.form("accounts_add", clear_on_submit=True):
    left, right = st.columns(2)
    username = left.text_input(t("sign_in_username", lang), max_chars=accounts.MAX_USERNAME, key="accounts_username")
    full_name = right.text_input(t("accounts_full_name", lang), max_chars=200, key="accounts_full_name")
    role = left.selectbox(
        t("accounts_role", lang), accounts.ROLES, format_func=lambda r: t(accounts.ROLE_LABELS[r], lang), key="accounts_role"
    )
    communes = right.multiselect(t("accounts_communes", lang), ui.view(views.commune_choices, province), key="accounts_communes")
    password = st.text_input(
        t("sign_in_password", lang), type="password", max_chars=accounts.MAX_PASSWORD, key="accounts_password"
    )
    if st.form_submit_button(t("accounts_add", lang)):
        with ui.refusals_shown(lang):
            made = accounts.create(ui.cursor(), username, password, role, manager.username, full_name, province, communes)
            st.success(ui.tx("accounts_added", lang, username=made.username))

with st.form("accounts_change"):
    st.subheader(t("accounts_change", lang))
    names = [a["username"] for a in accounts.listing(ui.cursor())]
    who = st.selectbox(t("sign_in_username", lang), names, key="accounts_who")
    action = st.radio(
        t("accounts_action", lang),
        list(accounts.ACTION_LABELS),
        key="accounts_action",
        format_func=lambda a: t(accounts.ACTION_LABELS[a], lang),
        horizontal=True,
    )
    new_password = st.text_input(
        t("accounts_new_password", lang), type="password", max_chars=accounts.MAX_PASSWORD, key="accounts_new_password"
    )
    if st.form_submit_button(t("accounts_apply", lang)) and who:
        with ui.refusals_shown(lang):
            if action == "passwd":  # a reset: the person changes it at their next sign-in
                accounts.set_password(ui.cursor(), who, new_password, manager.username, must_change=True)
            else:
                accounts.set_disabled(ui.cursor(), who, action == "disable", manager.username)
            st.success(ui.tx("accounts_done", lang, username=who))
