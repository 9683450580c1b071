"""History: every submission with who, when and what; the original file back; withdraw a submission."""

import streamlit as st

from kpis import store
from kpis.core.i18n import t
from kpis.output import views
from kpis.web import ui

lang = ui.lang()
st.title(t("page_history", lang))
st.markdown(t("history_help", lang))
table = ui.view(views.history_table, lang)
if table.empty:
    st.info(t("history_empty", lang))
    st.stop()
st.dataframe(table, hide_index=True, width="stretch")
ui.csv_download(table, t("table_download", lang), "lich_su_nop.csv", "history_table_download")

live = ui.view(views.live_submission_ids)
labels = ui.view(views.submission_labels, lang)
chosen = st.selectbox(t("history_pick", lang), list(labels), format_func=labels.get, key="history_pick")
name, data = store.kept_file(ui.cursor(), chosen)
st.download_button(ui.tx("history_download", lang, file=name), data, name, key="history_download")

account = ui.current_account()
if chosen in live and account is not None and account.may_write_all(store.submission_communes(ui.cursor(), chosen)):
    with st.form("history_withdraw_form"):
        st.markdown(t("history_withdraw_help", lang))
        reason = st.text_input(t("history_reason", lang), max_chars=500, key="history_reason")
        if st.form_submit_button(t("history_withdraw", lang, id=chosen)):
            if not reason.strip():
                st.error(t("history_need_reason", lang))
            else:
                try:
                    store.withdraw(ui.cursor(), chosen, account.username, reason.strip())
                except store.JournalError as e:  # refused whole: nothing was withdrawn
                    st.error(ui.tx("store_journal_unwritable", lang, error=str(e)))
                except store.StoreError as e:  # withdrawn meanwhile (another tab), or gone: said, nothing changed
                    ui.show_error(e, lang)
                else:
                    st.success(t("history_withdrawn_ok", lang, id=chosen))
                    st.rerun()
elif chosen in live:
    st.caption(t("history_withdraw_who", lang))
