"""Overview for leaders: each indicator's provincial figure against its target, communes by status."""

import streamlit as st

from kpis.core.i18n import fmt_int, fmt_pct, status_label, t
from kpis.output import views
from kpis.web import ui

lang = ui.lang()
st.title(t("page_overview", lang))
if not ui.require_data(lang):
    st.stop()

years = ui.view(views.years)
provinces = ui.view(views.provinces_with_data)
left, right = st.columns(2)
year = left.selectbox(t("pick_year", lang), years, index=len(years) - 1, key="overview_year")
province = right.selectbox(t("pick_province", lang), provinces, key="overview_province")

st.subheader(ui.tx("overview_cards", lang, province=province, year=year))
cards = ui.view(views.overview_cards, year, province, lang)
for start in range(0, len(cards), 4):
    for column, card in zip(st.columns(4), cards[start : start + 4], strict=False):
        with column.container(border=True):
            st.metric(card.name, fmt_pct(card.value_pct, lang), help=views.card_help(card, lang))
            st.markdown(views.card_status_line(card, lang))
            st.caption(views.card_counts_line(card, lang))

st.subheader(t("overview_table", lang, year=year))
table = ui.view(views.commune_table, year, province, lang)
value_columns = [c for c in table.columns if c in ui.view(views.indicator_names, lang).values()]
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={c: st.column_config.ProgressColumn(c, min_value=0, max_value=100, format="%.1f%%") for c in value_columns},
)
st.caption(t("overview_table_note", lang, behind=status_label("behind", lang), units=fmt_int(len(table), lang)))
