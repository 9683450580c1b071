"""The words of a meeting pack: the source line under each chart, two or three sentences per
indicator, and the summary table, in the reader's language.

Apart from kpis.output.meeting (the area and its figures) because this is where the wording
lives: how a plan is cited, how a gap is written, which areas are named as furthest behind.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from babel.numbers import format_decimal

from kpis.core.i18n import Lang, fmt_int, fmt_pct, locale_of, status_label, t, tn
from kpis.core.periods import quarter_label
from kpis.figures.board import paces
from kpis.figures.pace import HORIZON
from kpis.figures.progress import TargetBook, path_value, plan_targets, progress
from kpis.output import views
from kpis.output.chart_style import STATUS_SYMBOLS
from kpis.output.meeting import Area, area_rows, headline, kind_word
from kpis.output.meeting import area as area_of

BEHIND_NAMED = 3  # areas named in the "furthest behind" sentence
SOURCE_LABELS = {  # (one, more) reporters in the source line
    "communes": ("export_source_communes_one", "export_source_communes"),
    "units": ("export_source_units_one", "export_source_units"),
}
OLDER_LABELS = {
    "communes": ("export_source_older_communes_one", "export_source_older_communes"),
    "units": ("export_source_older_units_one", "export_source_older_units"),
}


def _points(value: float, lang: Lang) -> str:
    return format_decimal(value, "#,##0.0", locale=locale_of(lang))


def _doc_date(day: dt.date) -> str:
    """Vietnamese administrative style: 06/6/2025, 14/7/2025, 05/02/2026 (Nghị định 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def plan_citation(plan: pd.Series | dict, lang: Lang) -> str:
    """'Kế hoạch số 01/KH-UBND ngày 14/7/2025 của UBND xã Mường Mùn'; a plan without a number is
    cited by its `source` text, as recorded in the catalog."""
    number, date, issuer = plan.get("number"), plan.get("date"), plan.get("issuer")
    if isinstance(number, str) and number and date is not None and not pd.isna(date):
        when = _doc_date(pd.Timestamp(date).date())
        return t("export_plan_cite", lang, number=number, date=when, issuer=issuer)
    return str(plan.get("source") or plan.get("id"))


def _join(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("export_and", lang) + items[-1]


def _area_values(con: duckdb.DuckDBPyConnection, area: Area, year: int | None, indicator: str | None) -> pd.DataFrame:
    return con.execute(
        """
        SELECT cv.year, cv.quarter, c.name AS commune, cv.unit_id
        FROM current_values cv JOIN units u ON u.id = cv.unit_id JOIN communes c ON c.id = u.commune_id
        WHERE c.province = ? AND (?::VARCHAR IS NULL OR c.name = ?)
          AND (?::INTEGER IS NULL OR cv.year = ?) AND (?::VARCHAR IS NULL OR cv.indicator = ?)
        """,
        [area.province, area.commune, area.commune, year, year, indicator, indicator],
    ).df()


def applied_plan_ids(
    con: duckdb.DuckDBPyConnection,
    area: Area,
    year: int | None = None,
    indicator: str | None = None,
    province_figure: bool = False,
) -> list[str]:
    """The plans whose targets the figures of this area use (communes' own, else the province's)."""
    rows = progress(con, "commune", year)
    rows = rows[rows["province"] == area.province]
    if area.commune:
        rows = rows[rows["commune"] == area.commune]
    if province_figure and not area.commune:
        prov = progress(con, "province", year)
        rows = pd.concat([rows, prov[prov["province"] == area.province]])
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    ids = list(rows["plan_id"])
    return sorted({i for i in ids if isinstance(i, str)})


def source_line(
    con: duckdb.DuckDBPyConnection,
    area: Area,
    lang: Lang,
    *,
    year: int | None = None,
    indicator: str | None = None,
    province_figure: bool = False,
) -> str:
    """'Nguồn: số liệu báo cáo quý III/2026 của 5 xã, tỉnh Điện Biên; chỉ tiêu theo Kế hoạch số ...'."""
    values = _area_values(con, area, year, indicator)
    if values.empty:
        data = t("export_source_no_data", lang)
    else:
        periods = sorted(set(zip(values["year"], values["quarter"], strict=True)))
        first, last = periods[0], periods[-1]
        if year is not None or first == last:
            period = quarter_label(int(last[0]), int(last[1]), lang, in_sentence=True)
        else:
            period = t(
                "export_period_range",
                lang,
                first=quarter_label(int(first[0]), int(first[1]), lang, in_sentence=True),
                last=quarter_label(int(last[0]), int(last[1]), lang, in_sentence=True),
            )
        key, kind = ("unit_id", "units") if area.commune else ("commune", "communes")
        latest = (values["year"] * 4 + values["quarter"]).groupby(values[key]).max()
        single = year is not None or first == last
        # with one quarter named, count exactly those whose figure is from it, and say how many are older
        fresh = int((latest == last[0] * 4 + last[1]).sum()) if single else len(latest)
        who = tn(SOURCE_LABELS[kind], fresh, lang, area=area.name(lang))
        if older := len(latest) - fresh:
            who += tn(OLDER_LABELS[kind], older, lang)
        data = t("export_source_data", lang, period=period, who=who)
    ids = applied_plan_ids(con, area, year, indicator, province_figure)
    plans = con.execute(
        "SELECT * FROM plans WHERE id IN (SELECT unnest(?::VARCHAR[])) ORDER BY commune NULLS FIRST, date", [ids]
    ).df()
    if plans.empty:
        targets = t("export_source_no_plan", lang)
    else:
        targets = t("export_source_plans", lang, plans=_join([plan_citation(p, lang) for _, p in plans.iterrows()], lang))
    return t("export_source", lang, data=data, targets=targets)


def _first_value(con: duckdb.DuckDBPyConnection, area: Area, indicator: str) -> tuple[int, float] | None:
    rows = area_rows(con, area, None, "commune" if area.commune else "province")
    if area.commune is None:
        rows = rows[rows["commune"].isna()]
    rows = rows[rows["indicator"] == indicator].sort_values("year")
    if rows.empty:
        return None
    return int(rows["year"].iloc[0]), float(rows["value_pct"].iloc[0])


def indicator_sentences(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang) -> list[str]:
    """Two or three sentences: the figure, the target and status, and the areas furthest behind."""
    head = headline(con, area, year)
    head = head[head["indicator"] == indicator]
    values = _area_values(con, area, year, indicator)
    if head.empty or values.empty:
        return [t("export_s_no_data", lang, area=area.name(lang), year=year)]
    row = head.iloc[0]
    last_quarter = int(values.loc[values["year"] == year, "quarter"].max())
    if area.commune:
        reporters = t("export_s_units", lang, count=fmt_int(values["unit_id"].nunique(), lang))
    else:
        registered = con.execute("SELECT count(*) FROM communes WHERE province = ?", [area.province]).fetchall()[0][0]
        reporters = t(
            "export_s_communes", lang, count=fmt_int(values["commune"].nunique(), lang), total=fmt_int(registered, lang)
        )
    area_name = area.name(lang)
    sentences = [
        t(
            "export_s_value",
            lang,
            year=year,
            quarter=quarter_label(year, last_quarter, lang, in_sentence=True),
            reporters=reporters,
            area=area_name,
            value=fmt_pct(row["value_pct"], lang),
            numerator=fmt_int(row["numerator"], lang),
            denominator=fmt_int(row["denominator"], lang),
        )
    ]
    status = str(row["status"])
    if status == "no_target":
        sentences.append(t("export_s_no_target", lang))
    else:
        target, target_year = float(row["target_pct"]), int(row["target_year"])
        params = {"target": fmt_pct(target, lang), "target_year": target_year, "year": year}
        if status == "met":
            sentences.append(t("export_s_met", lang, **params))
        elif status == "on_track":
            first = _first_value(con, area, indicator) or (year, float(row["value_pct"]))
            path = path_value(first[0], first[1], target_year, target, year)
            sentences.append(t("export_s_on_track", lang, path=fmt_pct(path, lang), **params))
        else:
            gap = _points(target - float(row["value_pct"]), lang)
            sentences.append(t("export_s_behind", lang, gap=gap, **params))
    sentences.append(_furthest_behind(con, area, indicator, year, lang))
    sentences.extend(_pace_sentences(con, area, indicator, year, lang))
    return sentences


def _pace_sentence(name: str, row: pd.Series, lang: Lang) -> str | None:
    """'Theo đà này, xã Mường Chà đạt 80,0 % vào năm 2031.' (nothing for met or too few figures)."""
    target = fmt_pct(float(row["target_pct"]), lang)
    if row["pace"] == "year":
        return t("export_s_pace_year", lang, area=name, target=target, year=int(row["pace_year"]))
    if row["pace"] == "not_by":
        return t("export_s_pace_not_by", lang, area=name, target=target, year=HORIZON)
    return None


def _pace_sentences(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang) -> list[str]:
    """At this pace: when the area reaches its target, and, for a province, when its commune furthest
    behind does (kpis.figures.pace; the rule is on the plans page)."""
    out: list[str] = []
    own = paces(con, "commune" if area.commune else "province", year, area.province, area.commune)
    own = own[own["indicator"] == indicator]
    if not own.empty and (said := _pace_sentence(area.name(lang), own.iloc[0], lang)):
        out.append(said)
    if area.commune is None:
        rows = area_rows(con, area, year, "commune")
        rows = rows[(rows["indicator"] == indicator) & rows["target_pct"].notna()]
        rows = rows.assign(gap=rows["target_pct"] - rows["value_pct"])
        below = rows[rows["gap"] > 0].sort_values(["gap", "commune"], ascending=[False, True])
        if not below.empty:
            worst = str(below["commune"].iloc[0])
            found = paces(con, "commune", year, area.province, worst)
            found = found[found["indicator"] == indicator]
            kind = kind_word(area_of(con, area.province, worst).commune_kind, lang)
            named = t("place_commune", lang, kind=kind, commune=worst)  # within the province's pack: 'xã Mường Chà'
            if not found.empty and (said := _pace_sentence(named, found.iloc[0], lang)):
                out.append(said)
    return out


FURTHEST_BEHIND_KEYS = {  # the sentence under an indicator, by what the area is made of and how many are behind
    "communes": {"one": "export_s_behind_communes_one", "many": "export_s_behind_communes_many",
                 "all_met": "export_s_all_met_communes", "lowest": "export_s_lowest_communes"},
    "units": {"one": "export_s_behind_units_one", "many": "export_s_behind_units_many",
              "all_met": "export_s_all_met_units", "lowest": "export_s_lowest_units"},
}  # fmt: skip


def _furthest_behind(con: duckdb.DuckDBPyConnection, area: Area, indicator: str, year: int, lang: Lang) -> str:
    """Name the communes (or a commune's units) with the largest value gap to their own target."""
    level, label, kind = ("unit", "unit", "units") if area.commune else ("commune", "commune", "communes")
    rows = area_rows(con, area, year, level)
    rows = rows[rows["indicator"] == indicator].copy()
    with_target = rows.dropna(subset=["target_pct"])
    with_target = with_target.assign(gap=with_target["target_pct"] - with_target["value_pct"])
    below = with_target[with_target["gap"] > 0].sort_values(["gap", label], ascending=[False, True])
    if not below.empty:
        named = [
            t("export_s_named", lang, name=r[label], value=fmt_pct(r["value_pct"], lang), target=fmt_pct(r["target_pct"], lang))
            for _, r in below.head(BEHIND_NAMED).iterrows()
        ]
        key = FURTHEST_BEHIND_KEYS[kind]["one" if len(named) == 1 else "many"]
        return t(key, lang, names=", ".join(named), count=fmt_int(len(below), lang))
    if not with_target.empty:
        return t(FURTHEST_BEHIND_KEYS[kind]["all_met"], lang, count=fmt_int(len(with_target), lang))
    lowest = rows.sort_values(["value_pct", label]).head(BEHIND_NAMED)
    named = [f"{r[label]} ({fmt_pct(r['value_pct'], lang)})" for _, r in lowest.iterrows()]
    return t(FURTHEST_BEHIND_KEYS[kind]["lowest"], lang, names=", ".join(named))


def summary_table(con: duckdb.DuckDBPyConnection, area: Area, year: int, lang: Lang) -> pd.DataFrame:
    """Per indicator: the area's value, counts, target and status (symbol + word), ready to print."""
    head = headline(con, area, year).set_index("indicator")
    book = TargetBook(plan_targets(con))
    records = []
    for code, name in views.indicator_names(con, lang).items():
        target_pct: float | None
        target_year: int | None
        if code in head.index:
            r = head.loc[code]
            if not isinstance(r, pd.Series):  # the headline has one row per indicator
                raise ValueError(f"more than one headline row for indicator {code!r}")
            value, counts = fmt_pct(r["value_pct"], lang), f"{fmt_int(r['numerator'], lang)}/{fmt_int(r['denominator'], lang)}"
            target_pct = None if pd.isna(r["target_pct"]) else float(r["target_pct"])
            target_year = None if pd.isna(r["target_year"]) else int(r["target_year"])
            status = str(r["status"])
        else:
            rule = book.applicable(area.province, area.commune, code, year)
            value, counts, status = "–", "–", "no_data"
            target_pct, target_year = (rule.target_pct, rule.target_year) if rule else (None, None)
        target = "–" if target_pct is None else f"{fmt_pct(target_pct, lang)} ({target_year})"
        records.append((name, value, counts, target, f"{STATUS_SYMBOLS[status]} {status_label(status, lang)}"))
    columns = [
        t("col_indicator", lang),
        t("export_col_value", lang),
        t("export_col_counts", lang),
        t("export_col_target", lang),
        t("export_col_status", lang),
    ]
    return pd.DataFrame(records, columns=columns)
