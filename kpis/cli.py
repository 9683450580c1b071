"""`python -m kpis ...`: the command line that other tools and our own checks call.

A thin layer: it parses arguments and calls the package. Every refusal the package raises
is a KpisError; main() turns it into its message, in the command's language, and an exit
code, in one place (_failure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
from pathlib import Path

import duckdb

from kpis import store
from kpis.catalog.model import CatalogError
from kpis.catalog.places import NotFound, names
from kpis.core.csv_safe import safe_cell, write_records
from kpis.core.errors import KpisError
from kpis.core.i18n import LANGS, Lang, fmt_int, t
from kpis.core.records import json_records
from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.figures.progress import OUTPUT_COLUMNS, progress
from kpis.intake.context import Given
from kpis.intake.importer import import_file
from kpis.people import accounts
from kpis.store.registry_update import place as registry_place


def cmd_import(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    given = Given(args.province, args.commune, args.year, args.quarter)  # what the files may not say themselves
    all_ok = True
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as e:
            print(f"{name}: {e.strerror}", file=sys.stderr)
            all_ok = False
            continue
        result = import_file(con, data, path.name, uploaded_by=args.user, given=given)
        print(result.summary(args.lang))
        for message in result.messages(args.lang):
            print(f"  - {message}")
        for message in result.warning_messages(args.lang):
            print(f"  - {t('import_warning', args.lang, message=message)}")
        all_ok &= result.accepted
    return 0 if all_ok else 1


def cmd_progress(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    records = json_records(progress(con, args.level, args.year), OUTPUT_COLUMNS)
    if args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        buf = io.StringIO()
        write_records(buf, OUTPUT_COLUMNS, records)
        sys.stdout.write(buf.getvalue())
    return 0


def _both(key: str, **params: object) -> str:
    """A usage message in both languages: argparse checks a flag before it knows the command's --lang."""
    return f"{t(key, 'vi', **params)} / {t(key, 'en', **params)}"


def _quarter(text: str) -> int:
    try:
        quarter = int(text)
    except ValueError:
        quarter = 0
    if not 1 <= quarter <= 4:
        raise argparse.ArgumentTypeError(_both("cli_import_quarter_range", value=text))
    return quarter


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise argparse.ArgumentTypeError(_both("cli_import_year_range", value=text, low=YEAR_MIN, high=YEAR_MAX))
    return year


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from e


def cmd_compliance(args: argparse.Namespace) -> int:
    from kpis.figures.compliance import OUTPUT_COLUMNS as COLUMNS
    from kpis.figures.compliance import records, report_status

    con = store.connect(args.db)
    rows = records(report_status(con, args.as_of or store.reference_day(con), args.level))
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        write_records(sys.stdout, COLUMNS, rows)
    return 0


def _file_only(args: argparse.Namespace, command: str) -> int | None:
    """Exit code 2 with the reason when a command that builds a database file is given a PostgreSQL one."""
    if not store.is_server(str(store.resolve_db(args.db))):
        return None
    print(
        f"{command} builds a DuckDB file and does not write to PostgreSQL; give it a file with --db"
        " (docs/deploy.md, section 4, says what rebuild means for a database on PostgreSQL)",
        file=sys.stderr,
    )
    return 2


def cmd_demo(args: argparse.Namespace) -> int:
    from kpis.ops.demo import build_demo_db

    db = store.resolve_db(args.db)
    if store.is_server(str(db)) and args.replace_real_database:
        print("demo never replaces a database on PostgreSQL: give it a new, empty one with --db", file=sys.stderr)
        return 2
    summary = build_demo_db(db, replace_real=args.replace_real_database)
    for kept in summary["backup"]:
        print(f"previous file kept as {kept}")
    shown = store.shown_address(db) if isinstance(db, str) else db
    print(f"{shown}: demo database built from {summary['files']} files, {summary['values']} values.")
    print("Demo accounts (demo data only) / tài khoản dùng thử:")
    for username, password, role in summary["accounts"]:
        print(f"  {role:<8} {username:<14} {password}")
    return 0


# --- the registry: `communes` lists it, `registry update` loads a newer official list (issue 12) ------------


COMMUNES_LABELS = {  # the table's headers, per column of store.LISTING_COLUMNS
    "commune_code": "communes_col_commune_code",
    "kind": "communes_col_kind",
    "commune": "communes_col_commune",
    "province_code": "communes_col_province_code",
    "province": "communes_col_province",
}


def _province_named(con: duckdb.DuckDBPyConnection, text: str | None) -> str | None:
    """The registered province a --province option names (any spelling, or its code); None when not given."""
    if text is None:
        return None
    found = store.find_province(con, text)
    if isinstance(found, NotFound):
        raise KpisError("registry_unknown_province", province=text, suggest=names(found.nearest))
    return found[0]


def cmd_communes(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    province = _province_named(con, args.province)
    rows = store.listing(store.registry(con), province)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        write_records(sys.stdout, store.LISTING_COLUMNS, rows)
    else:
        header = [t(COMMUNES_LABELS[c], args.lang) for c in store.LISTING_COLUMNS]
        cells = [["" if r[c] is None else str(r[c]) for c in store.LISTING_COLUMNS] for r in rows]
        widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
        for row in [header, ["-" * w for w in widths], *cells]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        print(t("communes_count", args.lang, count=len(rows)))
    return 0


def cmd_registry_update(args: argparse.Namespace) -> int:
    path = Path(args.file)
    version = args.version or store.version_from_name(path.name)
    if not version:
        raise KpisError("cli_registry_version_missing", file=path.name)
    try:
        data = path.read_bytes()
    except OSError as e:  # the list cannot be read: a catalog refusal like any other
        raise CatalogError(f"{args.file}: {e.strerror or e}") from e
    con = store.connect(args.db)
    diff = store.update_registry(con, data, path.name, version, f"cli:{getpass_user()}", dry_run=args.dry_run)
    lang = args.lang
    print(t("cli_registry_summary", lang, file=path.name, **diff.counts()))
    for code, name in diff.provinces_added:
        print(t("cli_registry_province_added", lang, code=code, name=name))
    for code, before, after in diff.provinces_renamed:
        print(t("cli_registry_province_renamed", lang, code=code, before=before, after=after))
    for code, name in diff.provinces_removed:
        print(t("cli_registry_province_removed", lang, code=code, name=name))
    for c in diff.added:
        print(t("cli_registry_added", lang, place=registry_place(c)))
    for r in diff.renamed:
        print(t("cli_registry_renamed", lang, before=registry_place(r.before), after=registry_place(r.after)))
    for c in diff.removed:
        print(t("cli_registry_removed", lang, place=registry_place(c)))
    if diff.applied:
        print(t("cli_registry_applied", lang, version=version))
    elif args.dry_run:
        print(t("cli_registry_dry_run", lang))
    else:
        print(t("cli_registry_unchanged", lang, version=version))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from kpis.ops.rebuild import rebuild

    if (refused := _file_only(args, "rebuild")) is not None:
        return refused
    db = store.resolve_db_path(args.db)
    report = rebuild(db, replace_unverified=args.replace_unverified)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{report.db}: rebuilt from {report.submissions} submission(s), {report.withdrawals} withdrawal(s), "
        f"{report.communes_files} registry file(s), {report.task_events} task progress record(s), "
        f"{report.account_events} account change(s), {report.plan_events} plan step(s); "
        f"{report.audit_rows} audit row(s) carried over."
    )
    if report.compared:
        print("figures identical to the previous database: " + ("yes" if report.identical else "NO"))
    elif report.compare_error:
        print(f"the previous database could not be read to compare figures: {report.compare_error}")
    if report.backup:
        print(f"previous database kept as {report.backup}")
    return 0 if report.identical is not False else 1


# --- plans: `plan template|import|export|list` (issue 15) ---------------------------------------------


def cmd_plan(args: argparse.Namespace) -> int:
    from kpis.catalog.model import default_catalog
    from kpis.intake import plan_import
    from kpis.intake.plan_template import plan_workbook

    lang = args.lang
    if args.action == "template":
        return _write(Path(_needs(args.out, "--out")), plan_workbook(default_catalog()), lang)
    con = store.connect(args.db)
    if args.action == "list":
        rows = plan_import.plan_listing(con)
        if args.format == "json":
            json.dump(rows, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            write_records(sys.stdout, plan_import.LIST_COLUMNS, rows)
        return 0
    if args.action == "export":
        found = plan_import.find_version(con, _needs(args.target, "NUMBER"), args.place)
        return _write(Path(_needs(args.out, "--out")), plan_workbook(default_catalog(), found.plan), lang)
    path = Path(_needs(args.target, "FILE"))
    try:
        data = path.read_bytes()
    except OSError as e:
        raise KpisError("cli_file_unreadable", file=str(path), error=e.strerror or str(e)) from e
    account = accounts.get(con, args.user) if args.user else None
    if args.user and account is None:  # a mistyped name must not act as the operator
        raise KpisError("cli_plan_user_unknown", user=args.user)
    power = plan_import.TRUSTED if account is None else account.plan_power
    result = plan_import.import_plan(con, data, path.name, args.user or f"cli:{getpass_user()}", power)
    print(result.summary(lang), file=sys.stdout if result.status != "refused" else sys.stderr)
    if result.status == "refused":
        for message in result.messages(lang):
            print(f"- {message}", file=sys.stderr)
        return 1
    return 0


def _needs(value: str | None, name: str) -> str:
    if not value:
        raise KpisError("cli_argument_missing", name=name)
    return value


def _write(out: Path, data: bytes, lang: Lang) -> int:
    out.write_bytes(data)
    print(t("cli_plan_written", lang, out=out, size=fmt_int(len(data), lang)))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from kpis.intake.form_template import build_form_template
    from kpis.intake.template import build_template, resolve_scope

    con = store.connect(args.db)
    scope = resolve_scope(con, args.commune, args.province, args.year, args.quarter)
    build = build_form_template if args.layout == "form" else build_template
    Path(args.out).write_bytes(build(con, scope, args.lang))
    print(f"{args.out}: template written" + (f" for {scope.commune} ({scope.province})" if scope.commune else ""))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    import functools

    from kpis.ops.bench_national import main as bench
    from kpis.web.bench_pages import measure

    bench(args.communes, args.out, renders=functools.partial(measure, visitors=args.visitors), years=args.years, db=args.db)
    return 0


def cmd_bench_import(args: argparse.Namespace) -> int:
    from kpis.ops.bench_import import main as bench

    bench(args.rows, args.runs)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kpis.output.export import export_file

    con = store.connect(args.db)
    out = export_file(con, Path(args.out), args.year, args.province, args.commune, args.lang, args.chart, args.indicator)
    print(f"{out}: written ({out.stat().st_size:,} bytes)")
    return 0


def cmd_bench_export(args: argparse.Namespace) -> int:
    import tempfile

    from kpis.ops.demo import build_demo_db
    from kpis.output.export import bench

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "kpis.duckdb"
        if not args.db:
            build_demo_db(db)
        report = bench(store.connect(db), args.year, args.indicators, cold=not args.no_cold)
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    """From stdin (scripts) or typed twice at a prompt; never from the command line, where ps would show it."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        raise accounts.AccountError("account_password_mismatch")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    con = store.connect(args.db)
    actor = f"cli:{getpass_user()}"
    if args.action == "add":
        account = accounts.create(
            con,
            args.username,
            _read_password(args),
            args.role,
            actor,
            full_name=args.full_name or "",
            province=args.province,
            communes=args.commune or [],
        )
        scopes = "; ".join(f"{s.province}" + (f" / {s.commune}" if s.commune else "") for s in account.scopes)
        print(f"{account.username}: {account.role} account created" + (f" ({scopes})" if scopes else ""))
    elif args.action == "passwd":  # an operator's reset: the person changes it at their next sign-in
        accounts.set_password(con, args.username, _read_password(args), actor, must_change=True)
        print(f"{args.username}: password changed; to be changed at the next sign-in")
    elif args.action in ("disable", "enable"):
        accounts.set_disabled(con, args.username, args.action == "disable", actor)
        print(f"{args.username}: {args.action}d")
    elif args.action == "import":
        return _user_import(args, con, actor)
    elif args.action == "template":
        return _user_template(args, con)
    else:
        for a in accounts.listing(con):
            state = "disabled" if a["disabled_at"] else "active"
            demo = " [demo]" if a["demo"] else ""
            first = "must change password" if a["must_change_password"] else ""
            cells = [a["username"], a["role"], state + demo, a["scopes"] or "", a["full_name"] or "", a["email"] or "", first]
            print("\t".join(str(safe_cell(c)) for c in cells))
    return 0


def _user_import(args: argparse.Namespace, con: duckdb.DuckDBPyConnection, actor: str) -> int:
    """`user import SHEET`: every account of the sheet with a one-time password, printed once here (the operator
    hands them out), or none, with every problem; --user names the importing account, whose limits then apply."""
    from kpis.people.account_sheet import import_sheet
    from kpis.people.account_workbooks import handout_xlsx

    path = Path(args.username)
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"{args.username}: {e.strerror or e}", file=sys.stderr)
        return 1
    importer = None
    if args.user is not None:
        importer = accounts.get(con, args.user)
        if importer is None:
            raise accounts.AccountError("account_unknown", username=args.user)
        actor = importer.username
    result = import_sheet(con, data, path.name, actor, importer)
    print(result.summary(args.lang))
    if not result.accepted:
        for message in result.messages(args.lang):
            print(f"  - {message}")
        return 1
    for issued in result.issued:
        print(f"{issued.username}\t{issued.password}")
    if args.out:
        try:
            Path(args.out).write_bytes(handout_xlsx(result.issued, args.lang))
        except OSError as e:  # the accounts stand, and their passwords are printed above
            print(f"{args.out}: {e.strerror or e}", file=sys.stderr)
            return 1
        print(t("cli_account_handout_written", args.lang, out=args.out, count=len(result.issued)))
    return 0


def _user_template(args: argparse.Namespace, con: duckdb.DuckDBPyConnection) -> int:
    """`user template --out F.xlsx [--province P]`: the empty sheet of accounts, with the province's commune codes."""
    from kpis.people.account_workbooks import template_xlsx

    province = _province_named(con, args.province)
    communes = [c for c in store.registry(con) if province is None or c.province == province]
    Path(args.out).write_bytes(template_xlsx(communes, args.lang))
    print(t("cli_account_template_written", args.lang, out=args.out))
    return 0


def getpass_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kpis", description="Resolution 57 communication KPIs.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--db", default=None,
            help="DuckDB file, or a PostgreSQL database as postgresql://user@host/name (default $KPIS_DB, else data/kpis.duckdb)",
        )  # fmt: skip
        return p

    p = with_db(sub.add_parser("import", help="import .xlsx/.csv submissions"))
    p.add_argument("files", nargs="+")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.add_argument("--user", default="cli", help="recorded as the uploader")
    p.add_argument("--province", default=None, help="the province, for files that do not name it")
    p.add_argument("--commune", default=None, help="the commune, for forms whose title rows do not name it")
    p.add_argument("--year", type=_year, default=None, help=f"the report's year ({YEAR_MIN}-{YEAR_MAX}), if the file lacks it")
    p.add_argument("--quarter", type=_quarter, default=None, help="the report's quarter (1-4), if the file lacks it")
    p.set_defaults(func=cmd_import)

    p = with_db(sub.add_parser("progress", help="progress against targets"))
    p.add_argument("--level", choices=["commune", "province"], default="commune")
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--format", choices=["json", "csv"], required=True)
    p.set_defaults(func=cmd_progress)

    p = with_db(sub.add_parser("compliance", help="each commune's quarterly report: on time, late or missing"))
    p.add_argument("--as-of", type=_day, default=None, help="YYYY-MM-DD (default: today; a demo database's own day)")
    p.add_argument("--level", choices=["commune", "unit"], default="commune")
    p.add_argument("--format", choices=["json", "csv"], required=True)
    p.set_defaults(func=cmd_compliance)

    p = with_db(sub.add_parser("demo", help="(re)build the demo database"))
    p.add_argument(
        "--replace-real-database",
        action="store_true",
        help="replace a database that is not a demo one (it and its journal are kept as *.bak-<time>)",
    )
    p.set_defaults(func=cmd_demo)

    p = with_db(sub.add_parser("template", help="write the .xlsx template staff fill in"))
    p.add_argument("--out", required=True)
    p.add_argument("--commune", default=None, help="pre-fill the rows this commune reported last time")
    p.add_argument("--province", default=None)
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--quarter", type=int, default=None)
    p.add_argument(
        "--layout",
        choices=["table", "form"],
        default="table",
        help="table: one row per value, for systems that export data; form: one row per unit, as offices fill it "
        "(needs --commune, --year and --quarter)",
    )
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("bench", help="national-scale benchmark on a synthetic database (prints JSON)")
    p.add_argument("--communes", type=int, default=3321)
    p.add_argument(
        "--years", type=int, default=6, choices=range(3, 7), help="years loaded from 2025 (default 6; 3 for a quick run)"
    )
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.add_argument(
        "--db", default=None,
        help="an empty database to fill and measure: postgresql://user@host/name or a new file (default: a temporary file)",
    )  # fmt: skip
    p.add_argument(
        "--visitors", type=int, default=40, choices=range(1, 201), metavar="1-200",
        help="overview renders at once on 1, 2 and 4 Streamlit processes (default 40; one process on a DuckDB file)",
    )  # fmt: skip
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("bench-import", help="time our import against a bare parse (prints JSON)")
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--runs", type=int, default=3)
    p.set_defaults(func=cmd_bench_import)

    p = with_db(sub.add_parser("user", help="accounts: add, passwd, disable, enable, list, import a sheet, its template"))
    p.add_argument("action", choices=["add", "passwd", "disable", "enable", "list", "import", "template"])
    p.add_argument("username", nargs="?", help="the account; for import, the sheet of accounts (.xlsx or .csv)")
    p.add_argument("--role", choices=accounts.ROLES, default="viewer")
    p.add_argument("--province", default=None, help="for province and commune officers")
    p.add_argument("--commune", action="append", help="for commune officers; repeat for several")
    p.add_argument("--full-name", default=None)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--user", default=None, help="import: the account importing (a province officer's limits apply)")
    p.add_argument("--out", default=None, help="import: also write the handout of passwords (.xlsx); template: the file")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=cmd_user)

    p = with_db(sub.add_parser("plan", help="plans: template, import a workbook, export a plan, list them"))
    p.add_argument("action", choices=["template", "import", "export", "list"])
    p.add_argument("target", nargs="?", help="import: the workbook; export: the plan's number (or id)")
    p.add_argument("--out", default=None, help="template, export: the .xlsx to write")
    p.add_argument("--user", default=None, help="import: an active account, recorded as the author, whose rights apply")
    p.add_argument(
        "--place", type=int, default=None, help="export: the place's code, where plans of several places share the number"
    )
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=cmd_plan)

    p = with_db(sub.add_parser("rebuild", help="rebuild the database from its journal and kept files"))
    p.add_argument(
        "--replace-unverified",
        action="store_true",
        help="replace a current database that cannot be read to compare figures (it is kept as .bak-<time>)",
    )
    p.set_defaults(func=cmd_rebuild)

    p = with_db(sub.add_parser("communes", help="list the registry: code, kind, name, province code, province"))
    p.add_argument("--province", default=None, help="one province: its name in any spelling, or its code")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=cmd_communes)

    p = sub.add_parser("registry", help="the official registry of communes: update it from a newer official list")
    registry_sub = p.add_subparsers(dest="registry_command", required=True)
    p = with_db(registry_sub.add_parser("update", help="load a newer official list (the columns of communes.csv)"))
    p.add_argument("file", help="CSV: province_code, province, commune_code, kind, commune")
    p.add_argument("--version", default=None, help="the list's data version (default: the YYYY-MM-DD in the file name)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.set_defaults(func=cmd_registry_update)

    p = with_db(sub.add_parser("export", help="meeting material: .pptx pack, .xlsx figures, or one chart as .png/.svg"))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--province", default=None, help="default: the province with the most reporting communes")
    p.add_argument("--commune", default=None)
    p.add_argument("--lang", choices=LANGS, default="vi")
    p.add_argument("--out", required=True, help="FILE.pptx, FILE.xlsx, FILE.png or FILE.svg")
    p.add_argument("--chart", default=None, help="for .png/.svg: ranking, trend, heatmap or summary")
    p.add_argument("--indicator", default=None, help="indicator code, for the ranking and heatmap charts")
    p.set_defaults(func=cmd_export)

    p = with_db(sub.add_parser("bench-export", help="seconds for one chart and a whole pack on one browser (prints JSON)"))
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--indicators", type=int, default=None, help="indicator slides in the pack (default all)")
    p.add_argument("--no-cold", action="store_true", help="skip timing a chart on its own freshly started browser")
    p.set_defaults(func=cmd_bench_export)
    return parser


# Domain messages name no command-line flag; here, and only here, the flag a person should add is named.
CLI_WORDING = {
    "meeting_commune_ambiguous": "cli_meeting_commune_ambiguous",
    "meeting_indicator_missing": "cli_meeting_indicator_missing",
    "meeting_indicator_unknown": "cli_meeting_indicator_unknown",
    "meeting_chart_unknown": "cli_meeting_chart_unknown",
    "export_needs_chart": "cli_export_needs_chart",
    "template_half_period": "cli_template_half_period",
    "template_quarter_range": "cli_template_quarter_range",
    "template_commune_ambiguous": "cli_template_commune_ambiguous",
    "template_form_needs_commune": "cli_template_form_needs_commune",
    "template_form_needs_period": "cli_template_form_needs_period",
}


def _failure(args: argparse.Namespace, e: KpisError) -> str:
    """The one place a refusal becomes words on the command line: the error's message in the command's
    language (English for the commands without --lang, which speak English), framed as the command says it."""
    lang: Lang = getattr(args, "lang", "en")
    message = t(CLI_WORDING[e.code], lang, **e.params) if e.code in CLI_WORDING else e.message(lang)
    if args.command == "rebuild":  # (each command's modules are imported by the command itself: no start-up cost here)
        from kpis.ops.rebuild import RebuildError

        if isinstance(e, RebuildError):
            return t("cli_rebuild_stopped", lang, db=store.resolve_db_path(args.db), error=message)
    if args.command == "demo":
        from kpis.ops.demo import RealDatabaseError

        if isinstance(e, RealDatabaseError):
            return t("cli_demo_refused", lang, error=message)
    if args.command == "export":
        from kpis.output.export import ExportUnavailable
        from kpis.output.meeting import MeetingError

        if isinstance(e, (MeetingError, ExportUnavailable)):
            return t("cli_export_failed", lang, out=args.out, error=message)
    return message


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "user" and args.action not in ("list", "template") and not args.username:
        parser.error(
            "user import needs the sheet FILE" if args.action == "import" else "user add|passwd|disable|enable needs a USERNAME"
        )
    if args.command == "user" and args.action == "template" and not args.out:
        parser.error("user template needs --out F.xlsx")
    try:
        return int(args.func(args))
    except KpisError as e:
        print(_failure(args, e), file=sys.stderr)
        return e.exit_code
