"""Made-up demo submissions, and the demo database built from them.

generate_demo_files() writes the quarterly files that ship under data/demo/ (run
`python -m kpis.demo` to regenerate them); build_demo_db() imports them through the
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

import openpyxl

from kpis import store
from kpis.importer import import_file
from kpis.schema import COLUMNS, HEADERS_VI

DEMO_DIR = store.ROOT / "data" / "demo"
MANIFEST = "manifest.csv"
PERIODS = [(2025, q) for q in (1, 2, 3, 4)] + [(2026, q) for q in (1, 2, 3)]

# (province, commune, pace): pace > 1 runs ahead of the plan's path, < 1 behind it.
COMMUNES: list[tuple[str, str, float]] = [
    ("Điện Biên", "Mường Mùn", 1.25),
    ("Điện Biên", "Mường Ảng", 1.0),
    ("Điện Biên", "Tuần Giáo", 0.55),
    ("Điện Biên", "Mường Chà", 0.45),
    ("Điện Biên", "Tủa Chùa", 0.9),
    ("Tuyên Quang", "Hòa An", 1.2),
    ("Tuyên Quang", "Chiêm Hóa", 1.0),
    ("Tuyên Quang", "Na Hang", 0.5),
    ("Lạng Sơn", "Hoàng Văn Thụ", 1.3),
    ("Lạng Sơn", "Đồng Đăng", 0.95),
    ("Lạng Sơn", "Lộc Bình", 0.6),
    ("Lai Châu", "Tam Đường", 1.05),
    ("Lai Châu", "Phong Thổ", 0.5),
    ("Lai Châu", "Sìn Hồ", 1.15),
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
    ws = wb.active
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
            data = _write_xlsx(rows, commune, year, quarter) if as_xlsx else _write_csv(rows)
            (out_dir / name).write_bytes(data)
            sent_rows[name] = (year, quarter, rows)
            quarter_end = dt.date(year, quarter * 3, 1) + dt.timedelta(days=31)
            sent = dt.datetime.combine(quarter_end.replace(day=1), dt.time(9)) + dt.timedelta(
                days=rng.randint(2, 30), hours=rng.randint(0, 7)
            )
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
    return [out_dir / m["file"] for m in manifest]


def build_demo_db(db: Path, demo_dir: Path = DEMO_DIR) -> dict[str, int]:
    """(Re)build db from the demo files in manifest order, through the real import path."""
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    con = store.connect(db)
    try:
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
        store.mark_demo(con)
    finally:
        con.close()
    return {"files": len(manifest), "values": values}


if __name__ == "__main__":
    for p in generate_demo_files():
        print(p.relative_to(store.ROOT))
