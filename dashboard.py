"""Entry point: page config, language switch, demo notice, navigation over pages/."""

import streamlit as st

from kpis import ui
from kpis.i18n import t

st.set_page_config(page_title="NQ57 – Truyền thông KH, CN, ĐMST và CĐS", page_icon="📊", layout="wide")
lang = ui.language_switch()
st.sidebar.caption(t("app_caption", lang))
navigation = st.navigation(
    [
        st.Page("pages/overview.py", title=t("page_overview", lang), icon="🏛️", default=True),
        st.Page("pages/communes.py", title=t("page_communes", lang), icon="📈"),
        st.Page("pages/upload.py", title=t("page_upload", lang), icon="📤"),
        st.Page("pages/plans.py", title=t("page_plans", lang), icon="📜"),
    ]
)
ui.demo_notice(lang)
navigation.run()
