"""Overview for leaders: each indicator's provincial figure against its target, communes by status."""

import streamlit as st

from kpis.core.i18n import fmt_pct, t
from kpis.output import meeting, views
from kpis.web import ui

lang = ui.lang()
st.title(t("page_overview", lang))
if not ui.require_data(lang):
    st.stop()

years = ui.view(views.years)
left, right = st.columns(2)
year = left.selectbox(t("pick_year", lang), years, index=len(years) - 1, key="overview_year")
province = ui.pick_province(right, lang, "overview_province")

st.subheader(ui.tx("overview_cards", lang, area=ui.view(meeting.area, province).title(lang), year=year))
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
    placeholder=ui.NO_VALUE,
)
st.caption(views.commune_table_note(table, lang))
