"""The leaders' board: each indicator's figure against its target, then every commune (or, for the whole
country, every province) with its figures, statuses, latest report, ranks and pace; a row opens its page."""

import streamlit as st

from kpis.core.i18n import t
from kpis.output import board_view, meeting, views
from kpis.web import ui

lang = ui.lang()
st.title(t("page_overview", lang))
if not ui.require_data(lang):
    st.stop()

years = ui.view(views.years)
left, right = st.columns(2)
year = left.selectbox(t("pick_year", lang), years, index=len(years) - 1, key="overview_year")
province = ui.pick_scope(right, lang, "overview_province")
board = ui.view(board_view.leaders_board, year, province, ui.reference_day())
names = ui.view(board_view.indicator_names, lang)
level = board.level

if province is None:
    st.subheader(t("board_headline_country", lang, year=year))
else:
    st.subheader(ui.tx("board_headline", lang, area=ui.view(meeting.area, province).title(lang), year=year))
cards = board_view.headline(board, names, lang)
for start in range(0, len(cards), 4):
    for column, card in zip(st.columns(4), cards[start : start + 4], strict=False):
        with column.container(border=True):
            st.metric(card.name, card.value, delta=card.change, delta_color="off", help=card.counts)
            st.markdown(ui.md(card.status_line))
            st.caption(ui.md(card.areas))

st.subheader(board_view.level_label(board, "title", lang, year=year))
show = st.radio(
    t("board_show", lang),
    board_view.FILTERS,
    format_func=lambda f: board_view.filter_label(f, level, lang),
    horizontal=True,
    key="overview_show",
)
table, styled = board_view.matrix(board, names, lang, show)
if table.empty:
    st.info(t("board_no_rows", lang))
else:
    st.caption(board_view.level_label(board, "hint", lang))
    picked = st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        column_config={
            table.columns[0]: st.column_config.TextColumn(pinned=True),
            **{
                column: st.column_config.Column(help=names[code]) for code, column in board_view.column_names(names, lang).items()
            },
        },
        placeholder=t("board_no_data_cell", lang),
        on_select="rerun",
        selection_mode="single-row",
        key=f"overview_board_{level}_{show}",
    )
    rows = picked.selection.rows if picked is not None else []
    if rows:
        chosen = str(table.iloc[rows[0], 0])
        if level == "province":
            ui.goto(None, {"overview_province": chosen})
        else:
            ui.goto("app_pages/communes.py", {"communes_province": province, "communes_commune": chosen})
st.caption(ui.md(t("board_legend", lang)))
st.caption(board_view.board_note(board, lang))

st.subheader(t("board_ranking", lang))
indicator = st.selectbox(t("pick_indicator", lang), list(names), format_func=names.get, key="overview_rank_indicator")
ranks = board_view.ranking(board, indicator, lang, show)
st.dataframe(ranks, hide_index=True, width="stretch", key="overview_ranking", placeholder=ui.NO_VALUE)
with st.expander(t("board_rank_rule_title", lang)):
    st.markdown(t("board_rank_rule_text", lang))
with st.expander(t("pace_rule_title", lang)):
    st.markdown(t("pace_rule_text", lang))
