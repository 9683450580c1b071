"""Meeting pack: pick the year and the area, download the slides and the workbook, preview and download the charts."""

import streamlit as st

from kpis.core.i18n import t
from kpis.output import charts, export, meeting, meeting_charts, views
from kpis.web import ui

lang = ui.lang()
st.title(t("export_page_title", lang))
if not ui.require_data(lang):
    st.stop()

years = ui.view(views.years)
c1, c2, c3 = st.columns(3)
year = c1.selectbox(t("pick_year", lang), years, index=len(years) - 1, key="meeting_year")
province = ui.pick_province(c2, lang, "meeting_province")
area = ui.view(meeting.area, province)
whole = t("export_whole_province", lang, kind=meeting.kind_word(area.province_kind, lang))
commune = ui.pick_commune(c3, lang, province, "meeting_commune", whole=whole)
st.markdown(t("export_page_help", lang))
problem = export.static_export_problem(lang)
if problem:
    st.warning(problem, icon=":material/warning:")


con = ui.cursor()
ui.download_buttons(export.meeting_downloads(con, year, province, commune, lang), "meeting_pack", problem)

cards = ui.view(views.overview_cards, year, province, lang)
summary_title = t("export_summary_title", lang, area=area.title(lang), year=year)
st.subheader(t("export_preview", lang, title=t("export_summary_slide", lang)))
st.plotly_chart(
    charts.status_summary([c.name for c in cards], [c.counts for c in cards], summary_title, lang), key="meeting_summary"
)
stem = meeting.file_name(area, year, "")
ui.download_buttons(
    export.chart_downloads(con, lambda cur: meeting_charts.summary_figure(cur, area, year, lang), stem, lang),
    "meeting_summary",
    problem,
)

names = ui.view(views.indicator_names, lang)
indicator = st.selectbox(t("pick_indicator", lang), list(names), format_func=names.get, key="meeting_indicator")
table = ui.view(views.commune_year_table, indicator, province, lang)
st.plotly_chart(charts.commune_heatmap(table, names[indicator], lang), key="meeting_heatmap")
make_heatmap = lambda cur: meeting_charts.heatmap_figure(cur, area, indicator, lang)  # noqa: E731
ui.download_buttons(export.chart_downloads(con, make_heatmap, f"{stem}-{indicator}", lang), "meeting_heatmap", problem)
