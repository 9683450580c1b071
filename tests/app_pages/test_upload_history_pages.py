"""The upload and history pages driven by AppTest through dashboard.py, signed in as a commune officer.

Upload: the preview shows each value that would change, old beside new; cancel writes nothing and
clears the picker; a refused file offers the person's own file back, marked. History: every submission
listed; withdrawing one through the form makes the overview fall back to the previous figure.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kpis import store
from kpis.intake import limits
from kpis.intake.importer import import_file
from kpis.people import accounts
from tests.app_pages.test_pages import app, officer, shown, sign_in, texts
from tests.corpus.make_corpus import csv_file, row

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
Q1 = csv_file([row(0, quarter=1, numerator=300), row(1, quarter=1, numerator=200)])
Q1_FIX = csv_file([row(0, quarter=1, numerator=320)], delimiter=";")


def with_history(db: Path, *files: tuple[str, bytes]) -> None:
    """Files already imported before the app starts (as the officer would have done)."""
    con = store.connect(db)
    try:
        for name, data in files:
            assert import_file(con, data, name, uploaded_by="lan.muongmun").status == "accepted"
    finally:
        con.close()


def count(db: Path, table: str) -> int:
    with duckdb.connect(str(db)) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def upload_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = sign_in(app(db, monkeypatch), *officer(db))
    return at.switch_page("app_pages/upload.py").run()


def reach_metric(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label.startswith("Người dân được tiếp cận"))


def test_preview_shows_old_values_beside_the_new_ones(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    with_history(db, ("muong_mun_q1.csv", Q1))
    at = upload_page(db, monkeypatch)
    correction = csv_file([row(0, quarter=1, numerator=320), row(2, quarter=1)])
    at.file_uploader(key="upload_files_0").set_value(("q1_sua.csv", correction, "text/csv")).run()
    assert not at.exception
    assert "q1_sua.csv: hợp lệ, 2 dòng" in texts(at)
    assert "«Đang có, cùng quý»" in texts(at)
    preview = at.dataframe[0].value
    assert preview["Đơn vị"].tolist() == ["Bản Na Sang", "Bản Co Cượm"]
    new = preview["Số liệu mới"].tolist()
    assert new[0] == "320/500 · 64,0 %" and new[1].startswith("1.200/")
    assert preview["Đang có, cùng quý"].tolist() == ["300/500 · 60,0 %", "Mới (chưa có)"], "a new value has no old one"
    assert not preview.isna().any().any() and "None" not in preview.to_string()
    assert count(db, "submissions") == 1, "a preview writes nothing"


def test_cancel_writes_nothing_and_clears_the_picker(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    with_history(db, ("muong_mun_q1.csv", Q1))
    with duckdb.connect(str(db)) as con:
        version = store.data_version(con)
    at = upload_page(db, monkeypatch)
    at.file_uploader(key="upload_files_0").set_value(("q1_sua.csv", Q1_FIX, "text/csv")).run()
    assert "upload_commit" in [b.key for b in at.button]
    at.button(key="upload_cancel").click().run()
    assert not at.exception
    assert count(db, "submissions") == 1 and count(db, "submission_values") == 2
    with duckdb.connect(str(db)) as con:
        assert store.data_version(con) == version
    keys = [u.key for u in at.get("file_uploader")]
    assert keys == ["upload_files_1"]
    assert not at.dataframe and "hợp lệ" not in texts(at)


def test_commit_is_one_click_and_the_correction_wins(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    with_history(db, ("muong_mun_q1.csv", Q1))
    at = upload_page(db, monkeypatch)
    at.file_uploader(key="upload_files_0").set_value(("q1_sua.csv", Q1_FIX, "text/csv")).run()
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert "q1_sua.csv: đã nhận 1 dòng" in texts(at)
    assert count(db, "submissions") == 2
    assert [u.key for u in at.get("file_uploader")] == ["upload_files_1"]


def test_refused_file_offers_the_marked_copy(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    at = upload_page(db, monkeypatch)
    assert "Tải biểu mẫu báo cáo quý (.xlsx)" in [e.label for e in at.expander]
    assert "template_download" in [d.key for d in at.get("download_button")]
    bad = (CORPUS / "bad" / "commune_typo_title_rows.xlsx").read_bytes()
    at.file_uploader(key="upload_files_0").set_value(("bao_cao.xlsx", bad, "application/octet-stream")).run()
    assert not at.exception
    assert "bao_cao.xlsx: bị từ chối, 4 lỗi" in texts(at)
    problems = at.dataframe[0].value
    assert problems["Dòng"].tolist() == [6, 7, 8, 9] and set(problems["Cột"]) == {"Xã"}
    assert "Có phải là: Mường Mùn" in problems["Cần sửa"].iloc[0]
    marked = [d for d in at.get("download_button") if d.key == "upload_marked_0_0"]
    assert len(marked) == 1 and "tô màu" in marked[0].proto.label
    assert "upload_commit" not in [b.key for b in at.button]
    assert count(db, "submissions") == 0


def test_file_over_the_size_limit_is_refused_on_the_page(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    at = upload_page(db, monkeypatch)
    big = Q1 + b" " * limits.MAX_FILE_BYTES
    at.file_uploader(key="upload_files_0").set_value(("lon.csv", big, "text/csv")).run()
    assert not at.exception
    assert "vượt giới hạn 10,0 MB" in at.dataframe[0].value["Cần sửa"].iloc[0]
    assert "upload_commit" not in [b.key for b in at.button]


def test_file_with_merged_data_cells_is_refused_without_a_crash(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    at = upload_page(db, monkeypatch)
    merged = (CORPUS / "bad" / "merged_cells_in_data.xlsx").read_bytes()
    at.file_uploader(key="upload_files_0").set_value(("gop_o.xlsx", merged, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "gop_o.xlsx: bị từ chối, 9 lỗi" in texts(at)


def test_history_lists_submissions_and_withdrawing_falls_back_on_the_overview(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    with_history(db, ("muong_mun_q1.csv", Q1), ("muong_mun_q1_sua.csv", Q1_FIX))
    at = sign_in(app(db, monkeypatch), *officer(db))
    assert reach_metric(at) == "46,4 %"  # (320 + 200) / (500 + 620)
    at.switch_page("app_pages/history.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Tệp"].tolist() == ["muong_mun_q1_sua.csv", "muong_mun_q1.csv"]
    assert table["Người nộp"].tolist() == ["lan.muongmun", "lan.muongmun"]
    assert table["Số dòng"].tolist() == [1, 2]
    assert set(table["Tình trạng"]) == {"Đang dùng"}
    assert at.selectbox(key="history_pick").value == 2
    assert [d.key for d in at.get("download_button") if d.key == "history_download"] == ["history_download"]
    withdraw = next(b for b in at.button if b.label == "Rút lần nộp số 2")
    withdraw.click().run()
    assert "Hãy ghi" in texts(at) and count(db, "withdrawals") == 0, "a withdrawal needs a reason"
    at.text_input(key="history_reason").input("Nộp nhầm số liệu")
    next(b for b in at.button if b.label == "Rút lần nộp số 2").click().run()
    assert not at.exception
    assert count(db, "withdrawals") == 1 and count(db, "submissions") == 2
    state = at.dataframe[0].value["Tình trạng"].tolist()
    assert state[0].startswith("Đã rút (lan.muongmun") and state[1] == "Đang dùng"
    at.switch_page("app_pages/overview.py").run()
    assert reach_metric(at) == "44,6 %"  # (300 + 200) / (500 + 620): the first file again


def test_an_old_commune_name_is_accepted_with_its_warning_in_the_preview_and_after(tmp_path, monkeypatch):
    """Issue 12: "Quài Cang" went whole into Xã Tuần Giáo; the officer of Tuần Giáo sees both names, then it is stored."""
    db = tmp_path / "kpis.duckdb"
    with store.connect(db) as con:
        accounts.create(con, "an.tuangiao", "mat-khau-57-dai", "commune", "test", province="Điện Biên", communes=["Tuần Giáo"])
    at = sign_in(app(db, monkeypatch), "an.tuangiao", "mat-khau-57-dai").switch_page("app_pages/upload.py").run()
    old_name = csv_file([row(0, commune="Quài Cang"), row(1, commune="Xã Quài Cang")])
    at.file_uploader(key="upload_files_0").set_value(("quai_cang.csv", old_name, "text/csv")).run()
    assert not at.exception
    assert "quai_cang.csv: hợp lệ, 2 dòng" in texts(at)
    warned = [shown(w.value) for w in at.warning]
    assert warned == [
        "Dòng 2, cột «Xã»: Xã Quài Cang (cũ, huyện Tuần Giáo) nay thuộc Xã Tuần Giáo từ 01/7/2025;"
        " số liệu của 2 dòng ghi tên này được tính cho Xã Tuần Giáo."
    ]
    assert at.dataframe[0].value["Xã"].tolist() == ["Tuần Giáo", "Tuần Giáo"]
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert "quai_cang.csv: đã nhận 2 dòng" in texts(at)
    assert [shown(w.value) for w in at.warning] == warned  # said again with the result
    with duckdb.connect(str(db)) as con:
        names = con.execute("SELECT DISTINCT c.name FROM units u JOIN communes c ON c.id = u.commune_id").fetchall()
    assert names == [("Tuần Giáo",)]


def test_a_commune_name_several_provinces_share_is_the_officers_own(tmp_path, monkeypatch):
    """Issue 12: a form that names only the commune; "Hòa An" is in three provinces, the officer's scope decides."""
    db = tmp_path / "kpis.duckdb"
    with store.connect(db) as con:
        accounts.create(con, "binh.hoaan", "mat-khau-57-dai", "commune", "test", province="Cao Bằng", communes=["Hòa An"])
    at = sign_in(app(db, monkeypatch), "binh.hoaan", "mat-khau-57-dai").switch_page("app_pages/upload.py").run()
    only_commune = "Xã,Đơn vị,Năm,Quý,Chỉ tiêu,Số đạt,Tổng số\r\nHoà An,Xóm Nà Rụa,2025,3,citizen_reach,40,50\r\n".encode()
    at.file_uploader(key="upload_files_0").set_value(("hoa_an.csv", only_commune, "text/csv")).run()
    assert not at.exception
    assert "hoa_an.csv: hợp lệ, 1 dòng" in texts(at)
    preview = at.dataframe[0].value
    assert (preview["Tỉnh"].tolist(), preview["Xã"].tolist()) == (["Cao Bằng"], ["Hòa An"])
