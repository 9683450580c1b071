"""Accounts (administrators): who may sign in, with which role and scope; add, disable, reset."""

import streamlit as st

from kpis.core.i18n import t
from kpis.output import views
from kpis.people import accounts
from kpis.web import ui

lang = ui.lang()
st.title(t("page_accounts", lang))
admin = ui.require_admin(lang)
st.dataframe(ui.view(views.accounts_table, lang), hide_index=True, width="stretch")

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
            made = accounts.create(ui.cursor(), username, password, role, admin.username, full_name, province, communes)
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
            if action == "passwd":
                accounts.set_password(ui.cursor(), who, new_password, admin.username)
            else:
                accounts.set_disabled(ui.cursor(), who, action == "disable", admin.username)
            st.success(ui.tx("accounts_done", lang, username=who))
