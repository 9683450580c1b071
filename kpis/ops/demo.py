"""Made-up demo submissions, and the demo database built from them.

generate_demo_files() writes the quarterly files that ship under data/demo/ (run
`python -m kpis.ops.demo` to regenerate them); build_demo_db() imports them through the
real import path, so the demo exercises exactly what a real upload does. Every figure
here is invented: the dashboard says so whenever it shows this database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import duckdb
import openpyxl

from kpis import store
from kpis.core.xlsx import active_sheet
from kpis.followup import recording, task_sheet
from kpis.intake.importer import import_file
from kpis.intake.schema import COLUMNS, HEADERS_VI
from kpis.people import accounts

DEMO_DIR = store.ROOT / "data" / "demo"
MANIFEST = "manifest.csv"
PERIODS = [(2025, q) for q in (1, 2, 3, 4)] + [(2026, q) for q in (1, 2, 3)]
# The day the demo stands for: after its last upload (29/10/2026), before Mường Ảng's quý III/2026
# report falls due (10/12/2026). Pages read the demo as of this day (store.reference_day), so it
# shows the same late and missing reports whatever the real date is.
DEMO_DAY = dt.date(2026, 11, 15)

# (province, commune, pace): pace > 1 runs ahead of the plan's path, < 1 behind it.
COMMUNES: list[tuple[str, str, float]] = [
    ("Điện Biên", "Mường Mùn", 1.25),
    ("Điện Biên", "Mường Ảng", 1.0),
    ("Điện Biên", "Tuần Giáo", 0.55),
    ("Điện Biên", "Mường Chà", 0.45),
    ("Điện Biên", "Tủa Chùa", 0.9),
    ("Tuyên Quang", "Hoà An", 1.2),
    ("Tuyên Quang", "Chiêm Hoá", 1.0),
    ("Tuyên Quang", "Nà Hang", 0.5),
    ("Lạng Sơn", "Hoàng Văn Thụ", 1.3),
    ("Lạng Sơn", "Đồng Đăng", 0.95),
    ("Lạng Sơn", "Lộc Bình", 0.6),
    ("Lai Châu", "Bình Lư", 1.05),
    ("Lai Châu", "Phong Thổ", 0.5),
    ("Lai Châu", "Sìn Hồ", 1.15),
]

# Reporting habits, fixed here without random draws so that the figures stay as they were: a few
# files reach the dashboard after their plan's deadline, a few never do (see kpis/figures/compliance.py).
LATE_FILES: dict[str, str] = {
    "03_2026_Q1": "2026-06-23T10:00",  # Tuần Giáo: quý I/2026 due 10/6/2026, 13 days late
    "05_2025_Q3": "2025-12-12T15:00",  # Tủa Chùa: quý III/2025 due 10/12/2025, 2 days late
    "09_2026_Q1": "2026-06-08T09:30",  # Hoàng Văn Thụ: quý I/2026 due 05/6/2026, 3 days late
}
NEVER_SENT = {"04_2025_Q4", "02_2026_Q3"}  # Mường Chà: overdue since 10/6/2026; Mường Ảng: due 10/12/2026
# Progress on the plans' tasks and milestones as staff send it (imported through kpis.followup.recording.import_sheet):
# done on time and late, in progress, not started, overdue, and many with no update yet.
TASK_MANIFEST = "task_manifest.csv"
TASK_SHEETS: list[tuple[str, str, str, list[tuple[str, str, str, str, str]]]] = [
    (
        "tien_do_2025-12_lai_chau.xlsx",
        "demo:Sở VHTTDL Lai Châu",
        "2025-12-20T16:00",
        [
            ("LC-01", "Hoàn thành", "20/06/2025", "Đã hướng dẫn các sở, ngành, huyện", "Công văn 15/SVHTTDL (minh họa)"),
            ("LC-02", "Đang thực hiện", "10/12/2025", "Tuyên truyền trên Báo Lai Châu, Đài PT-TH tỉnh", ""),
            ("LC-12", "Chưa thực hiện", "10/12/2025", "Chờ kinh phí năm 2026", ""),
            ("LC-14", "Chưa thực hiện", "10/12/2025", "", ""),
            ("LC-19", "Đang thực hiện", "01/12/2025", "Tổ công nghệ số cộng đồng hướng dẫn tại các bản", ""),
        ],
    ),
    (
        "tien_do_2026-02_moc.csv",
        "demo:Văn phòng UBND tỉnh Điện Biên",
        "2026-02-15T10:00",
        [
            ("DB-M1", "Hoàn thành", "30/11/2025", "Chuyên mục NQ57 trên Cổng TTĐT tỉnh", "dienbien.gov.vn/nq57 (minh họa)"),
            ("DB-M2", "Đang thực hiện", "20/12/2025", "Đã phát động, đang mở lớp", ""),
            ("DB-M6", "Đang thực hiện", "10/02/2026", "Dự thảo bộ tiêu chí", ""),
            ("MM-M1", "Hoàn thành", "25/11/2025", "Kế hoạch 01/KH-UBND; chuyên mục trên Trang TTĐT xã", ""),
            ("HVT-M1", "Hoàn thành", "10/02/2026", "Chuyên mục trên Trang thông tin điện tử xã", ""),
        ],
    ),
    (
        "tien_do_2026-07_lai_chau.csv",
        "demo:Sở VHTTDL Lai Châu",
        "2026-07-20T09:00",
        [
            ("LC-14", "Đang thực hiện", "10/03/2026", "Đã lập trang Facebook, đang xây dựng kênh Zalo", ""),
            ("LC-16", "Hoàn thành", "28/03/2026", "Lớp tập huấn 2 ngày, 85 học viên", "Báo cáo 42/BC-SVHTTDL (minh họa)"),
            ("LC-15", "Hoàn thành", "15/07/2026", "Tập huấn cán bộ thông tin cơ sở các huyện", ""),
            ("LC-12", "Đang thực hiện", "01/07/2026", "Chuyên mục trên Cổng TTĐT tỉnh đã mở", ""),
            ("LC-02", "Đang thực hiện", "15/07/2026", "6 tháng đầu năm: 120 tin, bài", ""),
            ("LC-17", "Chưa thực hiện", "15/07/2026", "Chưa bố trí kinh phí in ấn", ""),
        ],
    ),
    (
        "tien_do_2026-10_hoa_an.xlsx",
        "demo:Hoà An",
        "2026-10-25T14:00",
        [
            ("HA-01", "Đang thực hiện", "20/10/2026", "Chiến dịch cao điểm quý III đã xong", ""),
            ("HA-02", "Hoàn thành", "20/10/2026", "Chuyên mục trên Trang TTĐT và loa truyền thanh xã", ""),
            ("HA-04", "Hoàn thành", "20/10/2026", "Ngày hội tổ chức tại Trung tâm xã", "Ảnh, báo cáo kết quả (minh họa)"),
            ("HA-05", "Chưa thực hiện", "01/06/2026", "Sở chưa mở lớp", ""),
            ("HA-06", "Đang thực hiện", "15/09/2026", "Đã đăng ký dự hội thảo của Sở", ""),
            ("HA-M1", "Đang thực hiện", "20/10/2026", "", ""),
        ],
    ),
]

# unit name -> (indicators it reports, denominator range)
AGENCIES: dict[str, dict[str, tuple[int, int]]] = {
    "Văn phòng HĐND và UBND xã": {
        "officials_informed": (25, 60),
        "directives_published": (12, 40),
        "units_with_plan": (8, 20),
    },
    "Phòng Văn hóa - Xã hội": {
        "staff_digital_training": (4, 12),
        "st_tasks_communicated": (5, 18),
        "media_units_with_column": (2, 6),
    },
    "Trung tâm Dịch vụ tổng hợp": {
        "officials_informed": (10, 30),
        "staff_digital_training": (3, 8),
    },
}
VILLAGE_PREFIX = {"Điện Biên": "Bản", "Lai Châu": "Bản", "Tuyên Quang": "Thôn", "Lạng Sơn": "Thôn"}
VILLAGE_NAMES = ["Na Sang", "Huổi Lóng", "Pá Chả", "Nà Khoang", "Co Cượm", "Tả Phìn", "Khuổi Nọi", "Bó Mạ", "Nà Lầu", "Pác Nặm"]
# the share of the way to 100 % each indicator starts at, at the start of 2025
START = {
    "citizen_reach": 0.35,
    "staff_digital_training": 0.15,
    "officials_informed": 0.55,
    "st_tasks_communicated": 0.4,
    "media_units_with_column": 0.3,
    "directives_published": 0.5,
    "units_with_plan": 0.45,
}
# quarters over which a pace-1.0 commune goes from its start to 100 %
HORIZON = {
    "citizen_reach": 22,
    "staff_digital_training": 22,
    "officials_informed": 5,
    "st_tasks_communicated": 6,
    "media_units_with_column": 6,
    "directives_published": 8,
    "units_with_plan": 5,
}


@dataclass(frozen=True)
class DemoUnit:
    name: str
    indicators: dict[str, int]  # indicator -> denominator


def _units(rng: random.Random, province: str) -> list[DemoUnit]:
    units = [DemoUnit(name, {ind: rng.randint(*span) for ind, span in inds.items()}) for name, inds in AGENCIES.items()]
    for village in rng.sample(VILLAGE_NAMES, 3):
        units.append(DemoUnit(f"{VILLAGE_PREFIX[province]} {village}", {"citizen_reach": rng.randint(350, 1500)}))
    return units


def _rows_for(
    rng: random.Random, province: str, commune: str, pace: float, units: list[DemoUnit], step: int, year: int, quarter: int
) -> list[dict]:
    rows = []
    for unit in units:
        for ind, den in unit.indicators.items():
            share = START[ind] + (1 - START[ind]) * min(1.0, pace * (step + 1) / HORIZON[ind])
            share = min(1.0, max(0.0, share + rng.uniform(-0.04, 0.03)))
            rows.append(
                {
                    "province": province,
                    "commune": commune,
                    "unit": unit.name,
                    "year": year,
                    "quarter": quarter,
                    "indicator": ind,
                    "numerator": round(den * share),
                    "denominator": den,
                    "note": "",
                }
            )
    return rows


def _write_csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _write_xlsx(rows: list[dict], commune: str, year: int, quarter: int) -> bytes:
    wb = openpyxl.Workbook()
    ws = active_sheet(wb)
    ws.title = "Báo cáo"
    ws["A1"] = f"UBND XÃ {commune.upper()}"
    ws["A2"] = f"BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW - QUÝ {['I', 'II', 'III', 'IV'][quarter - 1]} NĂM {year}"
    ws.merge_cells("A2:I2")
    ws["A3"] = "(Số liệu minh họa / demo data)"
    ws.append([HEADERS_VI[c] for c in COLUMNS])
    for r in rows:
        ws.append([r[c] if c not in ("note",) else (r[c] or None) for c in COLUMNS])
    wb.properties.creator = "kpis demo"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def generate_demo_files(out_dir: Path = DEMO_DIR, seed: int = 57) -> list[Path]:
    """Write the demo quarterly files and a manifest of who sent each and when."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*"):
        if old.suffix in (".csv", ".xlsx"):
            old.unlink()
    manifest: list[dict] = []
    sent_rows: dict[str, tuple[int, int, list[dict]]] = {}
    for c_idx, (province, commune, pace) in enumerate(COMMUNES):
        units = _units(rng, province)
        slug = f"{c_idx + 1:02d}"
        for step, (year, quarter) in enumerate(PERIODS):
            if rng.random() < 0.06 and step > 0:
                continue  # a quarter this commune never sent
            rows = _rows_for(rng, province, commune, pace, units, step, year, quarter)
            if rng.random() < 0.1:
                missing_unit = rng.choice(units).name
                rows = [r for r in rows if r["unit"] != missing_unit]  # one unit missed this quarter
            as_xlsx = (c_idx + step) % 2 == 0
            name = f"{slug}_{year}_Q{quarter}.{'xlsx' if as_xlsx else 'csv'}"
            quarter_end = dt.date(year, quarter * 3, 1) + dt.timedelta(days=31)
            sent = dt.datetime.combine(quarter_end.replace(day=1), dt.time(9)) + dt.timedelta(
                days=rng.randint(2, 30), hours=rng.randint(0, 7)
            )
            stem = name.rsplit(".", 1)[0]
            if stem in NEVER_SENT:
                continue
            sent = dt.datetime.fromisoformat(LATE_FILES[stem]) if stem in LATE_FILES else sent
            data = _write_xlsx(rows, commune, year, quarter) if as_xlsx else _write_csv(rows)
            (out_dir / name).write_bytes(data)
            sent_rows[name] = (year, quarter, rows)
            manifest.append({"file": name, "uploaded_by": f"demo:{commune}", "uploaded_at": sent.isoformat(timespec="minutes")})
    # one commune re-sends a corrected file: the later value replaces the earlier one, history keeps both
    first = manifest[1]
    year, quarter, rows = sent_rows[first["file"]]
    fixed = [dict(r) for r in rows]
    fixed[0]["numerator"] = max(0, fixed[0]["numerator"] - 2)
    fixed[0]["note"] = "Sửa số liệu theo rà soát"
    stem, suffix = first["file"].rsplit(".", 1)
    fixed_name = f"{stem}_sua.{suffix}"
    commune = fixed[0]["commune"]
    data = _write_xlsx(fixed, commune, year, quarter) if suffix == "xlsx" else _write_csv(fixed)
    (out_dir / fixed_name).write_bytes(data)
    later = dt.datetime.fromisoformat(first["uploaded_at"]) + dt.timedelta(days=3)
    manifest.append({"file": fixed_name, "uploaded_by": first["uploaded_by"], "uploaded_at": later.isoformat(timespec="minutes")})
    manifest.sort(key=lambda m: m["uploaded_at"])
    with (out_dir / MANIFEST).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["file", "uploaded_by", "uploaded_at"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(manifest)
    return [out_dir / m["file"] for m in manifest] + _write_task_sheets(out_dir)


def _write_task_sheets(out_dir: Path) -> list[Path]:
    """The demo progress sheets (as staff fill them in) and their manifest."""
    header = [task_sheet.HEADERS_VI[c] for c in task_sheet.COLUMNS]
    for name, _, _, rows in TASK_SHEETS:
        if name.endswith(".csv"):
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerows([header, *rows])
            (out_dir / name).write_bytes(text.getvalue().encode("utf-8"))
            continue
        wb = openpyxl.Workbook()
        ws = active_sheet(wb)
        ws.title = "Tiến độ"
        ws["A1"] = "TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ (số liệu minh họa / demo data)"
        ws.append(header)
        for code, status, day, note, evidence in rows:
            ws.append([code, status, dt.datetime.strptime(day, "%d/%m/%Y").date(), note or None, evidence or None])
        buf = io.BytesIO()
        wb.save(buf)
        (out_dir / name).write_bytes(buf.getvalue())
    with (out_dir / TASK_MANIFEST).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerows([["file", "uploaded_by", "uploaded_at"], *((n, by, at) for n, by, at, _ in TASK_SHEETS)])
    return [out_dir / name for name, *_ in TASK_SHEETS]


class RealDatabaseError(store.StoreError):
    """The file holds a real (not demo) database: the demo does not replace it unless told to."""

    text_code = "error_real_database"
    exit_code = 1  # a refusal: nothing was changed


def _is_demo_file(db: Path) -> bool:
    """Whether an existing file is a demo database; False when it cannot be read (damaged: treated as real)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        err = store.open_error(db, e)
        if isinstance(err, store.DatabaseInUse):
            raise err from e
        return False
    try:
        return store.is_demo(con)
    except duckdb.Error:
        return False
    finally:
        con.close()


def set_aside(db: Path) -> list[Path]:
    """Rename the database, its .wal and its journal with a time suffix; returns the new names."""
    stamp = f".bak-{dt.datetime.now():%Y%m%d-%H%M%S}"
    items = [db, Path(str(db) + ".wal"), store.journal_path(db)]
    n = 1
    while any(Path(str(i) + stamp).exists() for i in items):
        stamp, n = f".bak-{dt.datetime.now():%Y%m%d-%H%M%S}-{n}", n + 1
    moved = []
    for item in items:
        if item.exists():
            target = Path(str(item) + stamp)
            item.replace(target)
            moved.append(target)
    return moved


class DemoSummary(TypedDict):
    """What build_demo_db did, for the CLI to print."""

    files: int  # demo files imported
    values: int  # figures stored
    accounts: list[tuple[str, str, accounts.Role]]  # (username, password, role) of the demo accounts
    backup: list[Path]  # a real database and its journal set aside (only with replace_real)


def build_demo_db(db: Path | str, demo_dir: Path = DEMO_DIR, replace_real: bool = False) -> DemoSummary:
    """(Re)build db from the demo files in manifest order, through the real import path.

    An existing demo database is replaced. An existing file that is not one (real data, or one that
    cannot be read) is refused with RealDatabaseError, unless replace_real: then it is first renamed
    with its journal to *.bak-<time> (returned under "backup"), never deleted. A PostgreSQL database
    (a postgresql:// address) is filled only while it holds nothing: the demo never drops a server's
    tables, so a second demo there goes to a new database.
    """
    if store.is_server(str(db)):
        url = str(db)
        if store.holds_data(url):
            raise _server_not_empty(url)
        return _fill_demo(url, demo_dir, [])
    db = Path(db)
    backup: list[Path] = []
    if db.exists() and not _is_demo_file(db):
        if not replace_real:
            raise RealDatabaseError(
                f"{db} holds a real database (not the demo): the demo will not replace it. Give the demo another file "
                "with --db, or pass --replace-real-database to replace it (the database and its journal are then kept "
                "as *.bak-<time> copies)"
            )
        backup = set_aside(db)
    store.remove_database(db)
    return _fill_demo(db, demo_dir, backup)


def _server_not_empty(url: str) -> RealDatabaseError:
    return RealDatabaseError(
        f"{store.shown_address(url)} already holds a database: the demo fills only an empty PostgreSQL"
        " database and never replaces one there. Create a new database (createdb) and give its address with --db"
    )


def _fill_demo(db: Path | str, demo_dir: Path, backup: list[Path]) -> DemoSummary:
    con = store.connect(db)
    try:
        with store.writing(con):  # two demos at once on one server database: the second finds it filled
            if store.on_server(con) and con.execute("SELECT count(*) FROM submissions").fetchall()[0][0]:
                raise _server_not_empty(str(db))
            return _imported_demo(con, demo_dir, backup)
    finally:
        con.close()


def _imported_demo(con: duckdb.DuckDBPyConnection, demo_dir: Path, backup: list[Path]) -> DemoSummary:
    """The demo files and task sheets through the real import path, the demo mark and the demo accounts."""
    with (demo_dir / MANIFEST).open(encoding="utf-8") as f:
        manifest = list(csv.DictReader(f))
    values = 0
    for m in manifest:
        path = demo_dir / m["file"]
        result = import_file(
            con, path.read_bytes(), path.name, m["uploaded_by"], uploaded_at=dt.datetime.fromisoformat(m["uploaded_at"])
        )
        if not result.accepted:
            raise store.StoreError(f"demo file {path.name} was refused: {result.messages('en')}")
        values += len(result.rows)
    task_manifest = demo_dir / TASK_MANIFEST
    if task_manifest.exists():
        with task_manifest.open(encoding="utf-8") as f:
            for m in csv.DictReader(f):
                path = demo_dir / m["file"]
                at = dt.datetime.fromisoformat(m["uploaded_at"])
                sheet = recording.import_sheet(con, path.read_bytes(), path.name, m["uploaded_by"], at)
                if not sheet.accepted:
                    raise store.StoreError(f"demo task sheet {path.name} was refused: {sheet.messages('en')}")
    store.mark_demo(con, DEMO_DAY)
    demo_accounts = accounts.create_demo_accounts(con)
    return DemoSummary(files=len(manifest), values=values, accounts=demo_accounts, backup=backup)


if __name__ == "__main__":
    for p in generate_demo_files():
        print(p.relative_to(store.ROOT))
