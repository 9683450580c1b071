"""Entry point: page config, language switch, demo notice, navigation over app_pages/."""

import streamlit as st

from kpis.core.i18n import t
from kpis.web import ui

st.set_page_config(page_title="NQ57 – Truyền thông KH, CN, ĐMST và CĐS", page_icon=":material/monitoring:", layout="wide")
lang = ui.language_switch()
held = ui.held_account()  # from the session only: navigation comes before anything touches the database
accounts_page = st.Page("app_pages/accounts.py", title=t("page_accounts", lang), icon=":material/group:")
admin_pages = [accounts_page, st.Page("app_pages/audit.py", title=t("page_audit", lang), icon=":material/receipt_long:")]
if held is not None and held.is_admin:
    managed = admin_pages
else:  # a province officer imports the accounts of its province
    managed = [accounts_page] if held is not None and held.role == "province" else []
navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title=t("page_overview", lang), icon=":material/account_balance:", default=True),
        st.Page("app_pages/communes.py", title=t("page_communes", lang), icon=":material/trending_up:"),
        st.Page("app_pages/meeting.py", title=t("export_page_title", lang), icon=":material/slideshow:"),
        st.Page("app_pages/upload.py", title=t("page_upload", lang), icon=":material/upload_file:"),
        st.Page("app_pages/history.py", title=t("page_history", lang), icon=":material/history:"),
        st.Page("app_pages/plans.py", title=t("page_plans", lang), icon=":material/description:"),
        st.Page("app_pages/compliance.py", title=t("compliance_page", lang), icon=":material/mark_email_read:"),
        st.Page("app_pages/tasks.py", title=t("tasks_page", lang), icon=":material/task_alt:"),
        st.Page("app_pages/task_progress.py", title=t("tasks_progress_page", lang), icon=":material/edit_note:"),
        *managed,
    ]
)
ui.open_database(lang)  # on a fresh clone this builds the demo database once, under a spinner
account = ui.account_box(lang)
st.sidebar.caption(t("app_caption", lang))
ui.forget_issued_passwords(navigation.url_path == accounts_page.url_path)
if account is not None and account.must_change_password:  # a one-time or reset password: changed before anything else
    ui.password_change_form(account, lang)
    st.stop()
ui.password_changed_notice(lang)
ui.demo_notice(lang)
if st.session_state.get("_started"):
    navigation.run()
else:  # a session's first page reads and caches the figures: say so rather than leave the page blank
    st.session_state["_started"] = True
    with st.spinner(t("loading_first_page", lang)):
        navigation.run()
