"""Exports opened the way a reader would: python-pptx, openpyxl, PIL and an XML parser on real files.

Charts are rendered by kaleido with Debian's chromium; without a browser those tests are skipped,
except under CI, where .ci/run installs chromium and a missing browser is a failure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Inches
from streamlit.testing.v1 import AppTest

from kpis import cli, store
from kpis.intake.importer import import_file
from kpis.output import charts, export, meeting, meeting_charts
from tests.conftest import csv_bytes

ROOT = Path(__file__).resolve().parents[2]
INJECTION = '=HYPERLINK("http://x","y")'
needs_browser = pytest.mark.skipif(
    export.browser_path() is None and not os.environ.get("CI"),
    reason="no Chrome/Chromium for kaleido: apt-get install chromium (CI installs it and never skips)",
)


@pytest.fixture(scope="module")
def demo_copy(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private copy of the demo database for this module's slow exports."""
    target = tmp_path_factory.mktemp("export") / "demo"
    shutil.copytree(demo_db_template.parent, target)
    return target / "kpis.duckdb"


@pytest.fixture(scope="module")
def pack(demo_copy: Path) -> bytes:
    con = store.connect(demo_copy)
    extra = [("Báo cáo chưa nộp", pd.DataFrame({"Xã": ["Mường Chà", INJECTION], "Quý": ["Quý II/2026", "Quý III/2026"]}))]
    data = export.pack_pptx(con, 2026, "Điện Biên", lang="vi", extra_slides=extra)
    con.close()
    return data


# --- browser detection ---------------------------------------------------------------------------


def test_browser_found_here_or_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    found = export.browser_path()
    assert (found is None) == (export.static_export_problem("vi") is not None)
    if found:
        assert os.access(found, os.X_OK)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_browser_path_to_nothing_turns_static_export_off_with_the_reason(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such-chrome"
    monkeypatch.setenv("BROWSER_PATH", str(missing))
    assert export.browser_path() is None
    problem = export.static_export_problem(lang)
    assert problem and str(missing) in problem and "chromium" in problem
    with pytest.raises(export.ExportUnavailable, match="BROWSER_PATH"):
        export.figure_png(charts.status_summary([], [], "x", "vi"))


def test_a_browser_path_to_a_file_that_is_not_a_program_is_not_a_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = tmp_path / "chrome.txt"
    text.write_text("not a program")
    monkeypatch.setenv("BROWSER_PATH", str(text))
    assert export.browser_path() is None


def test_kaleido_itself_honours_browser_path_so_our_check_matches_it(tmp_path: Path) -> None:
    """Kaleido does not fall back to another browser when BROWSER_PATH is wrong: it fails, naming the path."""
    missing = tmp_path / "no-such-chrome"
    code = (
        "import kaleido, plotly.graph_objects as go\n"
        "try:\n"
        "    kaleido.calc_fig_sync(go.Figure(), opts={'format': 'png'}, kopts={'mathjax': False})\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "BROWSER_PATH": str(missing)}, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.startswith("ChromeNotFoundError") and str(missing) in out.stdout


def test_page_without_a_browser_says_why_and_keeps_the_workbook(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KPIS_DB", str(demo_db))
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("app_pages/meeting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "đang tắt vì máy chủ không tìm thấy trình duyệt tại BROWSER_PATH=" in at.warning[0].value
    assert len(at.get("download_button")) == 6  # pack, workbook, and PNG + SVG of two charts
    disabled = {b.proto.label: b.proto.disabled for b in at.get("download_button")}
    assert disabled["Tải bảng số liệu (.xlsx)"] is False
    assert disabled["Tải bộ trình chiếu (.pptx)"] is True and disabled["Tải ảnh PNG"] is True
    assert len(at.get("plotly_chart")) == 2


def test_pages_offer_png_and_svg_but_render_nothing_until_clicked(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPIS_DB", str(demo_db))
    renders = export.renders()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("app_pages/communes.py").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Tải ảnh PNG", "Tải ảnh SVG"] * 2
    at.selectbox(key="communes_year").set_value(2025).run()
    at.switch_page("app_pages/meeting.py").run()
    assert not at.exception
    assert export.renders() == renders, "a rerun must not draw images"


# --- workbook ------------------------------------------------------------------------------------


@pytest.fixture
def with_injection(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    rows = [
        ["Điện Biên", "Mường Mùn", INJECTION, 2026, 2, "citizen_reach", 300, 500, ""],
        ["Điện Biên", "Mường Mùn", "+Bản cộng", 2026, 2, "citizen_reach", 100, 500, ""],
        ["Điện Biên", "Tuần Giáo", "Bản C", 2026, 2, "citizen_reach", 250, 500, ""],
    ]
    result = import_file(con, csv_bytes(rows), "q2.csv")
    assert result.accepted, result.messages("en")
    return con


def test_workbook_has_a_sheet_per_level_with_formats_frozen_headers_and_filters(
    with_injection: duckdb.DuckDBPyConnection,
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(export.figures_xlsx(with_injection, 2026, "Điện Biên")))
    assert wb.sheetnames == ["Tỉnh", "Xã", "Đơn vị", "Báo cáo quá hạn", "Nhiệm vụ quá hạn", "Ghi chú"]
    for name in ("Tỉnh", "Xã", "Đơn vị"):
        ws = wb[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
    province = wb["Tỉnh"]
    header = [c.value for c in province[1]]
    first = dict(zip(header, [c for c in province[2]], strict=True))
    assert first["Mã"].value == "citizen_reach" and first["Số đạt"].value == 650 and first["Tổng số"].value == 1500
    assert first["Tỷ lệ"].value == pytest.approx(650 / 1500) and first["Tỷ lệ"].number_format == "0.0%"
    assert first["Số đạt"].number_format == "#,##0" and first["Chỉ tiêu (%)"].value == pytest.approx(0.8)
    assert first["Đánh giá"].value == "➚ Đúng tiến độ"
    communes = [r[1] for r in wb["Xã"].iter_rows(min_row=2, values_only=True)]
    assert communes == ["Mường Mùn", "Tuần Giáo"]
    # the official codes come last, as numbers shown the official way (11, 03268)
    assert header[-1] == "Mã tỉnh" and (first["Mã tỉnh"].value, first["Mã tỉnh"].number_format) == (11, "00")
    for sheet in ("Xã", "Đơn vị"):
        rows = list(wb[sheet].iter_rows(values_only=True))
        assert rows[0][-2:] == ("Mã tỉnh", "Mã xã")
        assert {r[1]: r[-1] for r in rows[1:]} == {"Mường Mùn": 3268, "Tuần Giáo": 3253}
    assert wb["Xã"].cell(2, wb["Xã"].max_column).number_format == "00000"
    about = [r[0] for r in wb["Ghi chú"].iter_rows(values_only=True)]
    assert any(str(line).startswith("Nguồn: số liệu báo cáo quý II/2026 của 2 xã thuộc tỉnh Điện Biên") for line in about)


def test_workbook_writes_formula_like_names_as_text(with_injection: duckdb.DuckDBPyConnection) -> None:
    data = export.figures_xlsx(with_injection, 2026, "Điện Biên", "Mường Mùn", "en")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Province", "Commune", "Unit", "Overdue reports", "Overdue tasks", "About"]
    units = {c.value: c for c in wb["Unit"]["C"][1:]}
    assert set(units) == {INJECTION, "+Bản cộng"}
    for cell in units.values():
        assert cell.data_type == "s" and cell.quotePrefix is True
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets), "no cell may hold a formula"


def test_follow_up_tables_name_the_areas_overdue_reports_and_tasks(demo_copy: Path) -> None:
    """The pack's and workbook's last pages: who has not reported and which tasks are late, for the area only."""
    con = store.connect(demo_copy)
    day = dt.date(2026, 11, 22)
    (reports_title, reports), (tasks_title, late) = export.follow_up_tables(con, meeting.Area("Điện Biên"), "vi", day)
    assert reports_title == "Báo cáo quá hạn, Tỉnh Điện Biên, ngày 22/11/2026"
    assert "Mường Chà" in set(reports["Xã"])  # the demo's Q4/2025 that was never sent
    assert tasks_title.startswith("Nhiệm vụ quá hạn, Tỉnh Điện Biên")
    assert not late.empty and not late["Mã"].str.startswith(("LC-", "HA-")).any()  # other provinces' plans left out
    (_, own), (_, own_tasks) = export.follow_up_tables(con, meeting.Area("Điện Biên", "Mường Chà"), "vi", day)
    assert set(own["Xã"]) == {"Mường Chà"}
    assert set(own_tasks["Mã"]) <= set(late["Mã"])
    wb = openpyxl.load_workbook(io.BytesIO(export.figures_xlsx(con, 2026, "Điện Biên", as_of=day)))
    sheet = [r for r in wb["Báo cáo quá hạn"].iter_rows(values_only=True)]
    assert sheet[0] == tuple(reports.columns) and any("Mường Chà" in r for r in sheet[1:])
    due = sheet[0].index("Hạn đầu tiên đã quá")
    assert all(isinstance(r[due], dt.datetime) for r in sheet[1:])  # real dates, not "10/06/2025" as text
    assert wb["Báo cáo quá hạn"].cell(row=2, column=due + 1).number_format == "dd/mm/yyyy"
    for ws in wb.worksheets:  # prints landscape, one page wide, the header row repeated
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
    con.close()


def test_workbook_on_an_empty_database_has_headers_only(con: duckdb.DuckDBPyConnection) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(export.figures_xlsx(con, 2026, "Lai Châu")))
    assert [wb[n].max_row for n in ("Tỉnh", "Xã", "Đơn vị")] == [1, 1, 1]
    assert "chưa có số liệu báo cáo" in wb["Ghi chú"]["A5"].value


# --- images and the pack (need the browser) ------------------------------------------------------


@needs_browser
def test_png_is_1600_by_900_and_svg_carries_the_vietnamese_title(demo_copy: Path) -> None:
    con = store.connect(demo_copy)
    area = meeting.resolve_area(con, "Điện Biên")
    fig = meeting_charts.figure(con, "ranking", area, 2026, "vi", "citizen_reach")
    png = export.figure_png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1600, 900)
    svg = export.figure_svg(fig)
    root = ElementTree.fromstring(svg)
    texts = " ".join("".join(t.itertext()) for t in root.iter() if t.tag.endswith("}text"))
    assert "Người dân được tiếp cận, năm 2026" in texts
    assert "Nguồn: số liệu báo cáo quý III/2026" in texts
    assert export.server_starts() == 1, "every chart reuses the one kaleido browser"
    con.close()


@needs_browser
def test_pack_has_title_summary_a_picture_per_indicator_and_the_extra_table(pack: bytes) -> None:
    prs = Presentation(io.BytesIO(pack))
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[0] == "Tiến độ thực hiện Chương trình truyền thông Nghị quyết 57-NQ/TW"
    subtitle = slides[0].placeholders[1].text_frame.text
    assert "Tỉnh Điện Biên" in subtitle and "Năm 2026" in subtitle and "Lập ngày" in subtitle and "MINH HỌA" in subtitle
    assert titles[1] == "Tỉnh Điện Biên, năm 2026: kết quả so với chỉ tiêu"
    summary = next(sh for sh in slides[1].shapes if sh.has_table).table
    assert len(summary.rows) == 8 and summary.cell(1, 0).text == "Người dân được tiếp cận"
    indicator_slides = slides[4:11]
    assert titles[4] == "Người dân được tiếp cận – năm 2026" and len(indicator_slides) == 7
    for slide in indicator_slides:
        pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pictures) == 1, slide.shapes.title.text
        assert Image.open(io.BytesIO(pictures[0].image.blob)).size == (1600, 900)
        words = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh != slide.shapes.title)
        assert words.startswith("Năm 2026, tỉnh Điện Biên đạt") and "chỉ tiêu" in words
    extra = slides[11]
    assert titles[11] == "Báo cáo chưa nộp" and len(slides) == 12
    table = next(sh for sh in extra.shapes if sh.has_table).table
    assert [table.cell(r, 0).text for r in range(3)] == ["Xã", "Mường Chà", INJECTION]
    fonts = {
        run.font.name for s in slides for sh in s.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs for run in p.runs
    }
    assert fonts == {"Arial"}


@needs_browser
def test_a_long_extra_table_continues_on_further_slides(demo_copy: Path) -> None:
    con = store.connect(demo_copy)
    frame = pd.DataFrame({"Nhiệm vụ": [f"Nhiệm vụ {i}" for i in range(30)], "Hạn": ["30/6/2026"] * 30})
    data = export.pack_pptx(
        con, 2026, "Lai Châu", lang="en", extra_slides=[("Overdue tasks", frame)], indicators=["citizen_reach"]
    )
    titles = [s.shapes.title.text for s in Presentation(io.BytesIO(data)).slides]
    assert titles[-3:] == ["Overdue tasks", "Overdue tasks (continued)", "Overdue tasks (continued)"]
    assert titles[0] == "Progress of the Resolution 57-NQ/TW communication programme"
    con.close()


# --- command line --------------------------------------------------------------------------------


def test_cli_export_writes_the_workbook_and_refuses_unknown_suffixes(demo_copy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "so-lieu.xlsx"
    hoa_an = ["--commune", "Hoà An"]  # a name in Cao Bằng, Tuyên Quang and Cần Thơ: the province decides
    assert cli.main(["export", "--db", str(demo_copy), "--year", "2026", *hoa_an, "--out", str(out)]) == 1
    assert "Cao Bằng, Tuyên Quang, Cần Thơ" in capsys.readouterr().err and not out.exists()
    hoa_an += ["--province", "Tuyên Quang"]
    assert cli.main(["export", "--db", str(demo_copy), "--year", "2026", *hoa_an, "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert [r[1] for r in wb["Xã"].iter_rows(min_row=2, values_only=True)][:1] == ["Hoà An"]
    english = ["export", "--db", str(demo_copy), "--year", "2026", "--lang", "en"]  # refusals speak the command's language
    assert cli.main([*english, "--out", str(tmp_path / "x.docx")]) == 1
    assert cli.main([*english, "--out", str(tmp_path / "x.png")]) == 1
    assert cli.main([*english, "--province", "Atlantis", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "suffix must be .pptx, .xlsx, .png or .svg" in err and "--chart" in err and "Atlantis" in err
    assert cli.main(["export", "--db", str(demo_copy), "--year", "2026", "--out", str(tmp_path / "x.docx")]) == 1
    assert "đuôi tệp phải là .pptx, .xlsx, .png hoặc .svg" in capsys.readouterr().err  # Vietnamese by default
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "x.png").exists()


def test_cli_export_without_a_browser_writes_nothing(demo_copy: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    out = tmp_path / "chart.svg"
    args = ["export", "--db", str(demo_copy), "--year", "2026", "--chart", "trend", "--out", str(out)]
    assert cli.main(args) == 1
    assert "BROWSER_PATH" in capsys.readouterr().err and not out.exists()


@needs_browser
def test_cli_export_png_and_pptx(demo_copy: Path, tmp_path: Path) -> None:
    png = tmp_path / "xep-hang.png"
    args = ["export", "--db", str(demo_copy), "--year", "2026", "--province", "dien bien", "--lang", "en"]
    assert cli.main([*args, "--chart", "ranking", "--indicator", "citizen_reach", "--out", str(png)]) == 0
    assert Image.open(png).size == (1600, 900)
    svg = tmp_path / "heat.svg"
    assert cli.main([*args, "--chart", "heatmap", "--indicator", "citizen_reach", "--out", str(svg)]) == 0
    assert "Citizens reached: communes across years" in svg.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*.part"))


@needs_browser
def test_bench_export_prints_the_timings_as_json(demo_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "bench" / "kpis.duckdb"
    shutil.copytree(demo_copy.parent, db.parent)
    out = subprocess.run(
        [sys.executable, "-m", "kpis", "bench-export", "--db", str(db), "--indicators", "1", "--no-cold"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert {"one_chart_seconds", "pack_seconds", "charts_in_pack", "server_reused", "first_chart_seconds"} <= set(report)
    assert report["charts_in_pack"] == 3  # summary, trend and the one indicator
    assert report["server_reused"] is True and report["browser_starts"] == 1


@pytest.fixture(scope="module")
def default_pack(demo_copy: Path) -> bytes:
    """The pack as the page and the command line make it: the overdue reports and tasks at the end."""
    con = store.connect(demo_copy)
    data = export.pack_pptx(con, 2026, "Điện Biên", lang="vi", as_of=dt.date(2026, 11, 15))
    con.close()
    return data


@needs_browser
def test_every_shape_lies_inside_its_slide_and_no_table_runs_off_the_bottom(default_pack: bytes) -> None:
    prs = Presentation(io.BytesIO(default_pack))
    width, height = prs.slide_width, prs.slide_height
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= width, (number, shape.name)
            bottom = shape.top + (sum(r.height for r in shape.table.rows) if shape.has_table else shape.height)
            assert bottom <= height, (number, shape.name, bottom - height)
    tasks = [s for s in prs.slides if s.shapes.title.text.startswith("Nhiệm vụ quá hạn")]
    rows = sum(len(next(sh for sh in s.shapes if sh.has_table).table.rows) - 1 for s in tasks)
    assert len(tasks) >= 2 and rows == 6  # the six overdue tasks of the demo, continued over slides, none lost


def test_a_table_of_long_rows_is_cut_by_height_and_keeps_its_columns() -> None:
    from kpis.output import slides

    long = "Thiết lập và phát triển các trang (tài khoản/kênh) trên các nền tảng số, mạng xã hội, ứng dụng di động " * 4
    frame = pd.DataFrame({"Mã": [f"DB-M{i}" for i in range(9)], "Nhiệm vụ": [long] * 9, "Hạn": ["31/12/2025"] * 9})
    chunks = slides.table_chunks(frame, slides.TABLE_SIZE)
    assert sum(len(c) for c in chunks) == 9 and len(chunks) > 1
    widths = slides._column_widths(frame, slides.TABLE_SIZE)
    assert max(widths) == widths[1]  # the task, the table's key, gets the room
    for chunk in chunks:
        assert sum(slides.row_heights(chunk, widths, slides.TABLE_SIZE)) <= slides.TABLE_ROOM
    short = pd.DataFrame({"Xã": [f"Xã {i}" for i in range(30)], "Hạn": ["30/6/2026"] * 30})
    assert [len(c) for c in slides.table_chunks(short, slides.TABLE_SIZE)] == [12, 12, 6]  # at most 12 a slide


def test_every_chart_of_the_pack_names_each_commune_whole_with_room_for_the_longest(demo_copy: Path) -> None:
    """The per-indicator charts once clipped the first name ("ường Mùn"): every bar's label is the whole
    registered name, and the left margin holds the longest at the chart's type size."""
    from kpis.output import meeting_pack, views

    con = store.connect(demo_copy)
    pack = meeting_pack.build_pack(con, meeting.area(con, "Điện Biên"), 2026, "vi")
    reporting = set(views.communes_with_data(con, "Điện Biên"))
    con.close()
    assert len(reporting) == 5
    for chart in pack.indicators:
        bars = [tr for tr in chart.figure.data if tr.type == "bar"]
        names = {str(y) for tr in bars for y in tr.y}
        assert names == reporting, chart.title
        font = chart.figure.layout.yaxis.tickfont.size or chart.figure.layout.font.size
        assert chart.figure.layout.margin.l >= max(len(n) for n in names) * font * 0.5, chart.title
