"""`python -m kpis ...`: the command line that other tools and our own checks call.

A thin layer: it parses arguments, calls the package and turns its named errors
into messages and exit codes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from kpis import store
from kpis.catalog import CatalogError, parse_registry
from kpis.i18n import LANGS
from kpis.importer import import_file
from kpis.progress import OUTPUT_COLUMNS, progress


def _records(frame) -> list[dict[str, Any]]:
    out = []
    for rec in frame[OUTPUT_COLUMNS].to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in rec.items():
            if v is None or pd.isna(v):
                clean[k] = None
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


def cmd_import(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    all_ok = True
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as e:
            print(f"{name}: {e.strerror}", file=sys.stderr)
            all_ok = False
            continue
        result = import_file(con, data, path.name, uploaded_by=args.user)
        print(result.summary(args.lang))
        for message in result.messages(args.lang):
            print(f"  - {message}")
        all_ok &= result.accepted
    return 0 if all_ok else 1


def cmd_progress(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    records = _records(progress(con, args.level, args.year))
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in records)
        sys.stdout.write(buf.getvalue())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from kpis.demo import build_demo_db

    db = store.resolve_db_path(args.db)
    summary = build_demo_db(db)
    print(f"{db}: demo database built from {summary['files']} files, {summary['values']} values.")
    return 0


def cmd_add_communes(args: argparse.Namespace) -> int:
    try:
        communes = parse_registry(Path(args.file).read_text(encoding="utf-8-sig"), Path(args.file).name)
    except (OSError, UnicodeDecodeError, CatalogError) as e:
        print(str(e), file=sys.stderr)
        return 1
    con = store.connect(args.db)
    added = store.add_communes(con, communes, source=Path(args.file).name)
    print(f"{added} commune(s) added, {len(communes) - added} already registered.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kpis", description="Resolution 57 communication KPIs.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", default=None, help="DuckDB file (default data/kpis.duckdb)")
        return p

    p = with_db(sub.add_parser("import", help="import .xlsx/.csv submissions"))
    p.add_argument("files", nargs="+")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.add_argument("--user", default="cli", help="recorded as the uploader")
    p.set_defaults(func=cmd_import)

    p = with_db(sub.add_parser("progress", help="progress against targets"))
    p.add_argument("--level", choices=["commune", "province"], default="commune")
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--format", choices=["json", "csv"], required=True)
    p.set_defaults(func=cmd_progress)

    p = with_db(sub.add_parser("demo", help="(re)build the demo database"))
    p.set_defaults(func=cmd_demo)

    p = with_db(sub.add_parser("add-communes", help="add communes to the registry from a CSV (province,commune[,kind])"))
    p.add_argument("file")
    p.set_defaults(func=cmd_add_communes)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (store.StoreError, CatalogError) as e:
        print(str(e), file=sys.stderr)
        return 2
