"""Chart functions: pure DataFrame -> Figure, in both languages, readable without colour."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpis import store
from kpis.core.i18n import status_label
from kpis.output import charts, meeting, views
from kpis.output.chart_style import SCREEN, SLIDE, STATUS_PATTERNS, STATUS_SYMBOLS, SUMMARY_STATUSES

BARS = pd.DataFrame(
    {
        "province": ["Điện Biên"] * 4,
        "commune": ["Mường Chà", "Mường Mùn", "Tuần Giáo", "Tủa Chùa"],
        "value_pct": [90.0, 36.666666, 50.0, 12.5],
        "numerator": [450, 1100, 250, 5],
        "denominator": [500, 3000, 500, 40],
        "target_pct": [80.0, 80.0, 80.0, None],
        "status": ["met", "on_track", "behind", "no_target"],
    }
)
LONG_SOURCE = (
    "Nguồn: số liệu báo cáo quý III/2026 của 5 xã thuộc tỉnh Điện Biên; chỉ tiêu theo Kế hoạch của UBND tỉnh Điện Biên "
    "triển khai thực hiện Quyết định số 1169/QĐ-TTg ngày 16/6/2025 và Kế hoạch số "
    "01/KH-UBND ngày 14/7/2025 của UBND xã Mường Mùn."
)


def traces(fig, kind: str | None = None) -> list:
    return [tr for tr in fig.data if kind is None or tr.type == kind]


def test_bars_rank_communes_with_status_symbol_label_and_hatch_in_vietnamese() -> None:
    fig = charts.commune_bars(BARS, "Người dân được tiếp cận", 2026, "vi", source=LONG_SOURCE)
    assert fig.layout.title.text == "Người dân được tiếp cận, năm 2026"
    bars = {tr.name: tr for tr in traces(fig, "bar")}
    assert set(bars) == {f"{STATUS_SYMBOLS[s]} {status_label(s, 'vi')}" for s in ("met", "on_track", "behind", "no_target")}
    on_track = bars["➚ Đúng tiến độ"]
    assert list(on_track.y) == ["Mường Mùn"] and list(on_track.text) == ["36,7 % ➚"]
    assert bars["✖ Chậm tiến độ"].marker.pattern.shape == "x"
    assert not bars["✔ Đạt"].marker.pattern.shape
    # ranking order is the order of the rows; the target is a tick only where a plan sets one
    assert list(fig.layout.yaxis.categoryarray) == list(BARS["commune"])
    target = next(tr for tr in traces(fig, "scatter") if tr.name == "Chỉ tiêu")
    assert list(target.y) == ["Mường Chà", "Mường Mùn", "Tuần Giáo"] and list(target.x) == [80.0] * 3
    assert list(fig.layout.xaxis.ticktext) == ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]
    assert fig.layout.separators == ",."


def test_bars_in_english_use_english_numbers_and_labels() -> None:
    fig = charts.commune_bars(BARS, "Citizens reached", 2026, "en")
    assert fig.layout.title.text == "Citizens reached, 2026"
    names = {tr.name for tr in fig.data}
    assert {"✔ Met", "➚ On track", "✖ Behind", "Target"} <= names
    on_track = next(tr for tr in fig.data if tr.name == "➚ On track")
    assert list(on_track.text) == ["36.7% ➚"]
    assert fig.layout.xaxis.ticktext[-1] == "100%"


def test_every_status_differs_by_more_than_colour() -> None:
    """Grey-scale prints and colour-blind readers: each status has its own symbol, and each bar status its own hatch."""
    assert len({STATUS_SYMBOLS[s] for s in SUMMARY_STATUSES}) == len(SUMMARY_STATUSES)
    hatched = [STATUS_PATTERNS[s] for s in ("met", "on_track", "behind", "no_target")]
    assert len(set(hatched)) == len(hatched)


def test_source_line_sits_under_the_chart_wrapped_and_whole() -> None:
    fig = charts.commune_bars(BARS, "Người dân được tiếp cận", 2026, "vi", source=LONG_SOURCE, slide=True)
    note = fig.layout.annotations[-1]
    assert note.text.replace("<br>", " ") == LONG_SOURCE
    assert "<br>" in note.text and note.yanchor == "top" and note.y == 0 and note.yshift < 0
    assert fig.layout.height == 900 and fig.layout.font.size > SCREEN.font
    assert fig.layout.margin.b > len(note.text.split("<br>")) * SLIDE.source


def test_wrap_source_keeps_words_and_caps_the_lines() -> None:
    lines = charts.wrap_source(LONG_SOURCE, 60)
    assert len(lines) == 3 and all(len(line) <= 60 for line in lines)
    assert charts.wrap_source("", 60) == []
    assert charts.wrap_source("Nguồn: ngắn.", 60) == ["Nguồn: ngắn."]


def test_empty_inputs_draw_a_chart_that_says_so() -> None:
    empty = BARS.iloc[0:0]
    fig = charts.commune_bars(empty, "Người dân được tiếp cận", 2026, "vi")
    assert any(a.text == "Chưa có số liệu" for a in fig.layout.annotations)
    assert charts.status_summary([], [], "Tổng hợp", "vi").layout.annotations[0].text == "Chưa có số liệu"
    heat = charts.commune_heatmap(pd.DataFrame(columns=["Tỉnh", "Xã"]), "Người dân được tiếp cận", "vi")
    assert heat.layout.annotations[0].text == "Chưa có số liệu"
    trend = charts.area_trend(
        pd.DataFrame(columns=["indicator", "indicator_name", "year", "value_pct"]),
        pd.DataFrame(columns=["indicator", "indicator_name", "year", "path_pct"]),
        "Xã X",
        "vi",
    )
    assert trend.layout.annotations[0].text == "Chưa có số liệu"


def test_heatmap_prints_each_rate_in_its_cell() -> None:
    table = pd.DataFrame(
        {"Tỉnh": ["Điện Biên", "Điện Biên"], "Xã": ["Mường Mùn", "Tuần Giáo"], "2025": [40.0, None], "2026": [55.55, 61.0]}
    )
    fig = charts.commune_heatmap(table, "Người dân được tiếp cận", "vi")
    heat = fig.data[0]
    assert list(heat.x) == ["2025", "2026"] and list(heat.y) == ["Mường Mùn", "Tuần Giáo"]
    assert [list(r) for r in heat.text] == [["40,0 %", "55,6 %"], ["", "61,0 %"]]
    assert (heat.zmin, heat.zmax) == (0, 100) and heat.colorscale[0][1] != heat.colorscale[-1][1]
    assert fig.layout.title.text == "Người dân được tiếp cận: các xã qua các năm"


def test_summary_counts_add_up_to_the_registered_communes(demo_db: Path) -> None:
    con = store.connect(demo_db)
    cards = views.overview_cards(con, 2026, "Điện Biên", "vi")
    registered = con.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên'").fetchone()[0]
    fig = charts.status_summary([c.name for c in cards], [c.counts for c in cards], "Tỉnh Điện Biên, năm 2026", "vi")
    for i, card in enumerate(cards):
        assert sum(int(tr.x[i]) for tr in fig.data) == registered, card.name
    no_data = next(tr for tr in fig.data if tr.name == "? Chưa có số liệu")
    assert list(no_data.text)[0] == str(cards[0].counts["no_data"])
    assert fig.layout.barmode == "stack"
    con.close()


def test_trend_has_a_solid_line_with_its_own_marker_and_a_dashed_path(demo_db: Path) -> None:
    con = store.connect(demo_db)
    values, paths = views.trend_data(con, "Điện Biên", "Mường Mùn", "vi")
    fig = charts.commune_trend(values, paths, meeting.area(con, "Điện Biên", "Mường Mùn").place("vi"), "vi")
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    dashed = [tr for tr in fig.data if tr.mode == "lines"]
    assert len(lines) == values["indicator"].nunique() == 7
    assert len({tr.marker.symbol for tr in lines}) == 7
    assert dashed and all(tr.line.dash == "dash" and tr.showlegend is False for tr in dashed)
    assert fig.layout.title.text == "Xã Mường Mùn: các chỉ tiêu qua các năm"
    con.close()


@pytest.mark.parametrize("slide", [False, True])
def test_charts_are_pure_and_leave_their_input_alone(slide: bool) -> None:
    before = BARS.copy()
    charts.commune_bars(BARS, "Người dân được tiếp cận", 2026, "vi", slide=slide)
    pd.testing.assert_frame_equal(BARS, before)
