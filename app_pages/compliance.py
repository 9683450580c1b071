"""Reporting compliance: who has sent each quarter's figures, on time or late, and who is overdue now."""

import streamlit as st

from kpis.core.i18n import t
from kpis.core.periods import fmt_date
from kpis.figures import compliance
from kpis.output import charts
from kpis.output.compliance_chart import completeness_figure
from kpis.output.compliance_table import completeness_table, headline_metrics, legend, style_matrix
from kpis.web import ui

lang = ui.lang()
st.title(t("compliance_page", lang))
if not ui.require_data(lang):
    st.stop()

left, right = st.columns(2)
province = ui.pick_province(left, lang, "compliance_province")
as_of = right.date_input(t("compliance_as_of", lang), value=ui.reference_day(), format="DD/MM/YYYY", key="compliance_as_of")
report = ui.view(compliance.report, as_of, "commune", province)  # the province's communes only, every registered one
for column, (label, value) in zip(st.columns(3), headline_metrics(report.headline(province), lang), strict=True):
    column.metric(label, value)
with st.expander(t("compliance_rules_title", lang)):
    st.markdown(t("compliance_rules_text", lang))

st.subheader(t("compliance_matrix", lang))
matrix = style_matrix(report.matrix(lang, province))
st.dataframe(matrix, hide_index=True, width="stretch", height="content", key="compliance_matrix")
st.caption(legend(lang))

st.subheader(t("compliance_overdue", lang, date=fmt_date(as_of, lang)))
overdue = report.overdue(lang, province)
if overdue.empty:
    st.success(t("compliance_none_overdue", lang))
else:
    st.dataframe(overdue, hide_index=True, width="stretch", height="content", key="compliance_overdue")
    ui.csv_download(overdue, t("table_download", lang), "qua_han.csv", "compliance_overdue_download")

st.subheader(t("compliance_completeness", lang))
done = report.completeness()
if done.empty:
    st.info(t("compliance_no_due_yet", lang))
else:
    st.plotly_chart(completeness_figure(done, lang), key="compliance_chart", config=charts.DOWNLOAD_CONFIG)
    st.dataframe(completeness_table(done, lang, province), hide_index=True, width="stretch", key="compliance_rates")
st.caption(t("compliance_completeness_note", lang))

with st.expander(t("compliance_matrix_units", lang)):
    units = ui.view(compliance.report, as_of, "unit", province).matrix(lang, province)
    st.dataframe(style_matrix(units), hide_index=True, width="stretch", key="compliance_units")
