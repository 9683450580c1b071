"""What a meeting pack says: source lines, sentences, the summary and unit figures, on real imports."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from kpis.intake.importer import import_file
from kpis.output import meeting, meeting_charts, meeting_pack, meeting_text
from kpis.output.meeting import Area, MeetingError
from tests.conftest import csv_bytes

PROVINCE_PLAN_SOURCE = (
    "Kế hoạch của UBND tỉnh Điện Biên triển khai thực hiện Quyết định số 1169/QĐ-TTg ngày 16/6/2025"
)


def row(commune, unit, numerator, denominator, *, indicator="citizen_reach", year=2026, quarter=2, province="Điện Biên"):
    return [province, commune, unit, year, quarter, indicator, numerator, denominator, ""]


@pytest.fixture
def dien_bien(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Three communes of Điện Biên in 2026 Q2, figures small enough to check by hand.

    citizen_reach (target 80 % by 2030 in both the province's and Mường Mùn's plan):
      Mường Mùn 300/500 + 100/500 = 40 %; Tuần Giáo 250/500 = 50 %; Mường Chà 450/500 = 90 %;
      the province 1100/2000 = 55 %. officials_informed (100 % by 2025): Mường Mùn 45/50 = 90 %.
    """
    rows = [
        row("Mường Mùn", "Bản A", 300, 500),
        row("Mường Mùn", "Bản B", 100, 500),
        row("Tuần Giáo", "Bản C", 250, 500),
        row("Mường Chà", "Bản D", 450, 500),
        row("Mường Mùn", "Văn phòng HĐND và UBND xã", 45, 50, indicator="officials_informed"),
    ]
    assert import_file(con, csv_bytes(rows), "q2.csv").accepted
    return con


def test_area_is_found_however_it_is_typed(dien_bien: duckdb.DuckDBPyConnection) -> None:
    assert meeting.resolve_area(dien_bien, commune="xa muong mun") == Area("Điện Biên", "Mường Mùn")
    assert meeting.resolve_area(dien_bien, province="Tỉnh Điện Biên") == Area("Điện Biên")
    assert meeting.resolve_area(dien_bien) == Area("Điện Biên")  # the province with data
    with pytest.raises(MeetingError, match="Atlantis"):
        meeting.resolve_area(dien_bien, province="Atlantis")
    with pytest.raises(MeetingError, match="not registered"):
        meeting.resolve_area(dien_bien, commune="Mường Mùn", province="Lai Châu")
    with pytest.raises(MeetingError, match=r"Did you mean: .*Mường Mùn \(Điện Biên\)"):
        meeting.resolve_area(dien_bien, commune="Muong Mum")
    assert meeting.resolve_area(dien_bien, "dien bien", "Phường Mường Lay") == Area("Điện Biên", "Mường Lay")
    assert Area("Điện Biên", "Mường Mùn").slug() == "dien-bien-muong-mun"


def test_source_line_names_the_latest_quarter_the_reporters_and_the_plans(dien_bien: duckdb.DuckDBPyConnection) -> None:
    line = meeting_text.source_line(dien_bien, Area("Điện Biên"), "vi", year=2026)
    assert line == (
        "Nguồn: số liệu báo cáo quý II/2026 của 3 xã thuộc tỉnh Điện Biên; chỉ tiêu theo "
        f"{PROVINCE_PLAN_SOURCE} và Kế hoạch số 01/KH-UBND ngày 14/7/2025 của UBND xã Mường Mùn."
    )
    english = meeting_text.source_line(dien_bien, Area("Điện Biên", "Mường Mùn"), "en", year=2026)
    assert english.startswith("Source: quarterly reports for Q2 2026 from 3 units of Mường Mùn commune, Điện Biên province;")
    assert "Plan No. 01/KH-UBND of 14/7/2025 by UBND xã Mường Mùn" in english


def test_source_line_counts_only_the_communes_whose_figure_is_from_the_quarter_it_names(
    dien_bien: duckdb.DuckDBPyConnection,
) -> None:
    """One commune of three sends Q3: the line names Q3 for that one and says the two others are older."""
    assert import_file(dien_bien, csv_bytes([row("Tuần Giáo", "Bản C", 300, 500, quarter=3)]), "q3.csv").accepted
    line = meeting_text.source_line(dien_bien, Area("Điện Biên"), "vi", year=2026)
    assert line.startswith(
        "Nguồn: số liệu báo cáo quý III/2026 của 1 xã thuộc tỉnh Điện Biên và 2 xã khác theo số liệu các quý trước;"
    )
    english = meeting_text.source_line(dien_bien, Area("Điện Biên"), "en", year=2026)
    assert "from 1 communes" not in english
    assert english.startswith(
        "Source: quarterly reports for Q3 2026 from 1 commune of Điện Biên province, and 2 other communes from earlier quarters;"
    )


def test_source_line_without_data_or_plan_says_so(dien_bien: duckdb.DuckDBPyConnection) -> None:
    assert meeting_text.source_line(dien_bien, Area("Tuyên Quang", "Nà Hang"), "vi", year=2026) == (
        "Nguồn: chưa có số liệu báo cáo; chưa có Kế hoạch nào đặt chỉ tiêu."
    )


def test_source_line_over_several_quarters_gives_the_range(dien_bien: duckdb.DuckDBPyConnection) -> None:
    assert import_file(dien_bien, csv_bytes([row("Tuần Giáo", "Bản C", 200, 500, year=2025, quarter=4)]), "q4.csv").accepted
    line = meeting_text.source_line(dien_bien, Area("Điện Biên"), "vi")
    assert line.startswith("Nguồn: số liệu báo cáo từ quý IV/2025 đến quý II/2026 của 3 xã thuộc tỉnh Điện Biên;")


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2025, 6, 6), "06/6/2025"), (dt.date(2025, 7, 14), "14/7/2025"), (dt.date(2026, 2, 5), "05/02/2026")],
)
def test_plan_dates_follow_the_administrative_style(day: dt.date, expected: str) -> None:
    plan = {"number": "2653/KH-UBND", "date": day, "issuer": "UBND tỉnh Lai Châu"}
    assert meeting_text.plan_citation(plan, "vi") == f"Kế hoạch số 2653/KH-UBND ngày {expected} của UBND tỉnh Lai Châu"


def test_a_plan_without_a_number_is_cited_by_its_source() -> None:
    plan = {"id": "x", "number": None, "date": None, "issuer": "UBND tỉnh Điện Biên", "source": PROVINCE_PLAN_SOURCE}
    assert meeting_text.plan_citation(plan, "en") == PROVINCE_PLAN_SOURCE


def test_province_sentences_state_figure_target_and_communes_furthest_behind(dien_bien: duckdb.DuckDBPyConnection) -> None:
    sentences = meeting_text.indicator_sentences(dien_bien, Area("Điện Biên"), "citizen_reach", 2026, "vi")
    assert sentences == [
        "Năm 2026, tỉnh Điện Biên đạt 55,0 % (1.100/2.000; số liệu đến quý II/2026 của 3/45 xã).",  # of the 45 registered
        "Chỉ tiêu là 80,0 % vào năm 2030; kết quả đúng tiến độ (lộ trình năm 2026: 55,0 %).",
        "2 xã chưa đạt chỉ tiêu; cách xa chỉ tiêu nhất: "
        "Mường Mùn (40,0 %, chỉ tiêu 80,0 %), Tuần Giáo (50,0 %, chỉ tiêu 80,0 %).",
    ]
    english = meeting_text.indicator_sentences(dien_bien, Area("Điện Biên"), "citizen_reach", 2026, "en")
    assert english[0] == "In 2026, Điện Biên province reached 55.0% (1,100/2,000; reports up to Q2 2026 from 3 of 45 communes)."
    assert english[2].startswith("2 communes are below their target; furthest behind: Mường Mùn (40.0%, target 80.0%)")


def test_commune_sentences_name_its_units_furthest_from_the_commune_target(dien_bien: duckdb.DuckDBPyConnection) -> None:
    area = Area("Điện Biên", "Mường Mùn")
    reach = meeting_text.indicator_sentences(dien_bien, area, "citizen_reach", 2026, "vi")
    assert reach[0].startswith("Năm 2026, xã Mường Mùn, tỉnh Điện Biên đạt 40,0 % (400/1.000;")
    assert reach[2] == (
        "2 đơn vị chưa đạt chỉ tiêu; cách xa chỉ tiêu nhất: Bản B (20,0 %, chỉ tiêu 80,0 %), Bản A (60,0 %, chỉ tiêu 80,0 %)."
    )
    officials = meeting_text.indicator_sentences(dien_bien, area, "officials_informed", 2026, "vi")
    assert officials[1] == "Chỉ tiêu là 100,0 % vào năm 2025; kết quả đang chậm tiến độ, còn cách chỉ tiêu 10,0 điểm phần trăm."
    assert officials[2] == "Đơn vị duy nhất chưa đạt chỉ tiêu: Văn phòng HĐND và UBND xã (90,0 %, chỉ tiêu 100,0 %)."


def test_met_and_missing_figures_are_said_plainly(dien_bien: duckdb.DuckDBPyConnection) -> None:
    met = meeting_text.indicator_sentences(dien_bien, Area("Điện Biên", "Mường Chà"), "citizen_reach", 2026, "vi")
    assert met[1] == "Đã đạt chỉ tiêu 80,0 % đặt cho năm 2030." and met[2] == "Cả 1 đơn vị đều đã đạt chỉ tiêu của xã."
    missing = meeting_text.indicator_sentences(dien_bien, Area("Điện Biên"), "units_with_plan", 2026, "vi")
    assert missing == ["Năm 2026, tỉnh Điện Biên chưa có số liệu cho nội dung này."]


def test_only_communes_with_a_target_count_as_behind(demo_db) -> None:
    """Tuyên Quang has no province plan: only Hoà An, with its own plan, can be behind its target."""
    from kpis import store

    con = store.connect(demo_db)
    sentences = meeting_text.indicator_sentences(con, Area("Tuyên Quang"), "citizen_reach", 2026, "vi")
    assert sentences[1] == "Chưa có Kế hoạch nào đặt chỉ tiêu cho nội dung này."
    assert sentences[2].startswith("Xã duy nhất chưa đạt chỉ tiêu: Hoà An (")
    con.close()


def test_unit_progress_applies_the_commune_target_to_each_unit(dien_bien: duckdb.DuckDBPyConnection) -> None:
    units = meeting.unit_progress(dien_bien, 2026).set_index(["unit", "indicator"])
    assert units.loc[("Bản B", "citizen_reach"), "value_pct"] == pytest.approx(20.0)
    assert units.loc[("Bản B", "citizen_reach"), "target_pct"] == 80.0
    assert units.loc[("Bản D", "citizen_reach"), "status"] == "met"
    assert units.loc[("Văn phòng HĐND và UBND xã", "officials_informed"), "status"] == "behind"
    assert units.loc[("Bản B", "citizen_reach"), "plan_id"] == "muong-mun-01-kh-ubnd-2025"


def test_summary_table_lists_every_indicator_with_value_target_and_status(dien_bien: duckdb.DuckDBPyConnection) -> None:
    table = meeting_text.summary_table(dien_bien, Area("Điện Biên"), 2026, "vi")
    assert list(table.columns) == ["Chỉ tiêu", "Kết quả", "Số đạt/Tổng số", "Chỉ tiêu Kế hoạch (năm)", "Đánh giá"]
    assert len(table) == 7
    first = table.iloc[0].tolist()
    assert first == ["Người dân được tiếp cận", "55,0 %", "1.100/2.000", "80,0 % (2030)", "➚ Đúng tiến độ"]
    no_data = table[table["Chỉ tiêu"] == "Đơn vị đã ban hành kế hoạch"].iloc[0].tolist()
    assert no_data[1:] == ["–", "–", "100,0 % (2025)", "? Chưa có số liệu"]


def test_pack_content_has_one_slide_per_indicator_with_sentences(dien_bien: duckdb.DuckDBPyConnection) -> None:
    pack = meeting_pack.build_pack(dien_bien, Area("Điện Biên"), 2026, "vi", made_on=dt.date(2026, 7, 20))
    assert pack.subtitle == ["Tỉnh Điện Biên", "Năm 2026", "Lập ngày 20/07/2026"]
    assert [s.title for s in pack.overview] == ["Các xã theo mức độ thực hiện chỉ tiêu", "Các chỉ tiêu qua các năm"]
    # three sentences where there are figures (citizen_reach, officials_informed), one saying so elsewhere
    assert [len(s.sentences) for s in pack.indicators] == [3, 1, 3, 1, 1, 1, 1]
    assert pack.indicators[0].title == "Người dân được tiếp cận – năm 2026"
    assert pack.indicators[0].figure.layout.annotations[-1].text.replace("<br>", " ").startswith("Nguồn: số liệu báo cáo quý II")
    commune_pack = meeting_pack.build_pack(dien_bien, Area("Điện Biên", "Mường Mùn"), 2026, "en", indicators=["citizen_reach"])
    assert [s.title for s in commune_pack.overview] == ["Indicators across years"]
    assert list(commune_pack.indicators[0].figure.layout.yaxis.categoryarray) == ["Bản A", "Bản B"]


def test_unknown_chart_or_indicator_is_refused_with_the_choices(dien_bien: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(MeetingError, match="ranking, trend, heatmap, summary"):
        meeting_charts.figure(dien_bien, "pie", Area("Điện Biên"), 2026, "vi")
    with pytest.raises(MeetingError, match="citizen_reach"):
        meeting_charts.figure(dien_bien, "ranking", Area("Điện Biên"), 2026, "vi", indicator="nope")


def test_at_this_pace_names_the_year_for_the_province_and_its_commune_furthest_behind(
    dien_bien: duckdb.DuckDBPyConnection,
) -> None:
    """Q3 adds 100 reached in each commune: the province rises 15 points a quarter, Mường Mùn 10."""
    rows = [
        row("Mường Mùn", "Bản A", 350, 500, quarter=3),
        row("Mường Mùn", "Bản B", 150, 500, quarter=3),
        row("Tuần Giáo", "Bản C", 350, 500, quarter=3),
        row("Mường Chà", "Bản D", 500, 500, quarter=3),
    ]
    assert import_file(dien_bien, csv_bytes(rows), "q3.csv").accepted
    sentences = meeting_text.indicator_sentences(dien_bien, Area("Điện Biên"), "citizen_reach", 2026, "vi")
    # the province: 55 % then 67.5 %, +12.5 a quarter, 80 % in Q4/2026; Mường Mùn: 40 % then 50 %, 80 % in Q2/2027
    assert sentences[-2:] == [
        "Theo đà này, tỉnh Điện Biên đạt 80,0 % vào năm 2026.",
        "Theo đà này, xã Mường Mùn đạt 80,0 % vào năm 2027.",
    ]
    english = meeting_text.indicator_sentences(dien_bien, Area("Điện Biên"), "citizen_reach", 2026, "en")
    assert english[-1] == "At this pace, Mường Mùn commune reaches 80.0% in 2027."
