"""By commune and year: communes ranked with the target line, one commune across years, a commune x year table."""

import streamlit as st

from kpis.core.i18n import fmt_int, t
from kpis.output import board_view, charts, export, meeting, meeting_charts, views
from kpis.web import ui

lang = ui.lang()
st.title(t("page_communes", lang))
if not ui.require_data(lang):
    st.stop()

names = ui.view(views.indicator_names, lang)
years = ui.view(views.years)
c1, c2, c3 = st.columns(3)
province = ui.pick_province(c1, lang, "communes_province")
indicator = c2.selectbox(t("pick_indicator", lang), list(names), format_func=names.get, key="communes_indicator")
year = c3.selectbox(t("pick_year", lang), years, index=len(years) - 1, key="communes_year")

problem = export.static_export_problem(lang)  # PNG/SVG need a browser on the server; say so when there is none
if problem:
    st.warning(problem, icon=":material/warning:")
area = ui.view(meeting.area, province)
stem = meeting.file_name(area, year, "")


bars = ui.view(views.bar_data, indicator, year, province, lang)
if bars.empty:
    st.info(t("no_data_for", lang, indicator=names[indicator], year=year))
else:
    st.plotly_chart(charts.commune_bars(bars, names[indicator], year, lang), key="communes_bars", config=charts.DOWNLOAD_CONFIG)
    registered = len(ui.view(views.commune_choices, province))
    st.caption(t("communes_bars_note", lang, count=fmt_int(len(bars), lang), total=fmt_int(registered, lang)))
    make_bars = lambda cur: meeting_charts.ranking_figure(cur, area, indicator, year, lang)  # noqa: E731
    ui.download_buttons(export.chart_downloads(ui.cursor(), make_bars, stem + f"-{indicator}", lang), "communes_bars", problem, 4)

st.subheader(t("communes_trend", lang))
commune = ui.pick_commune(st, lang, province, "communes_commune")
if commune is not None:  # None only for a province without communes in the registry
    place = ui.view(meeting.area, province, commune)
    values, paths = ui.view(views.trend_data, province, commune, lang)
    trend = charts.commune_trend(values, paths, place.place(lang), lang)
    st.plotly_chart(trend, key="communes_trend", config=charts.DOWNLOAD_CONFIG)
    st.caption(t("communes_trend_note", lang))
    board = ui.view(board_view.leaders_board, year, province, ui.reference_day())
    st.markdown(ui.tx("communes_pace", lang, place=place.place(lang), year=year))
    summary = board_view.commune_summary(board, commune, ui.view(board_view.indicator_names, lang), lang)
    st.dataframe(summary, hide_index=True, width="stretch", key="communes_pace")
    with st.expander(t("pace_rule_title", lang)):
        st.markdown(t("pace_rule_text", lang))
    make_trend = lambda cur: meeting_charts.trend_figure(cur, place, lang)  # noqa: E731
    trend_stem = meeting.file_name(place, year, "")
    ui.download_buttons(export.chart_downloads(ui.cursor(), make_trend, trend_stem, lang), "communes_trend", problem, 4)

st.subheader(t("communes_table", lang, indicator=names[indicator]))
table = ui.view(views.commune_year_listing, indicator, province, lang)
year_columns = [c for c in table.columns if c.isdigit()]
st.dataframe(board_view.percent_cells(table, year_columns, lang), hide_index=True, width="stretch", placeholder=ui.NO_VALUE)
