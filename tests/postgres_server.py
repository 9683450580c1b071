"""A real PostgreSQL for the tests: Debian's server in a cluster of the session's own, on a Unix socket.

KPIS_TEST_POSTGRES (an address such as postgresql://me@/postgres?host=/run/postgresql) uses a server
that is already running instead. Each test gets a database of its own, copied from a template that
was opened once (schema and catalog loaded) by a separate process, so no connection holds it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """A running PostgreSQL: addresses of its databases, and a template for fresh ones."""

    def __init__(self, base: str, folder: Path | None = None) -> None:
        self.base = base  # an address whose path is the database name, set by url()
        self.folder = folder  # the session's own cluster, removed at the end (None: a server we were given)
        self.template: str | None = None
        self.template_files: Path | None = None

    def url(self, name: str) -> str:
        head, _, tail = self.base.partition("?")
        head = head.rsplit("/", 1)[0] if head.count("/") > 2 else head
        return f"{head}/{name}" + (f"?{tail}" if tail else "")

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def fresh_database(self, files: Path) -> str:
        """A new database like the template (schema and default catalog loaded), its journal copied into files."""
        if self.template is None:
            self._make_template()
        assert self.template is not None and self.template_files is not None
        name = f"kpis_t_{uuid.uuid4().hex[:12]}"
        with self.admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        files.mkdir(parents=True, exist_ok=True)
        journal = self.template_files / f"{self.template}.postgresql.journal.jsonl"
        if journal.exists():
            shutil.copyfile(journal, files / f"{name}.postgresql.journal.jsonl")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.partition("?")[0].rsplit("/", 1)[1]
        with self.admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _make_template(self) -> None:
        name = f"kpis_template_{uuid.uuid4().hex[:8]}"
        with self.admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        files = Path(tempfile.mkdtemp(prefix="kpis-pg-template-"))
        env = {**os.environ, "KPIS_FILES": str(files)}
        subprocess.run(
            [sys.executable, "-c", "import sys; from kpis import store; store.connect(sys.argv[1]).close()", self.url(name)],
            cwd=ROOT, env=env, check=True, timeout=300,
        )  # fmt: skip
        self.template, self.template_files = name, files

    def stop(self) -> None:
        if self.folder is None:
            return
        _as_owner(["pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop"], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> Server | str:
    """The server to test on, or why there is none (PostgreSQL not installed)."""
    given = os.environ.get("KPIS_TEST_POSTGRES")
    if given:
        return Server(given)
    if not _bindir():
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    folder = Path(tempfile.mkdtemp(prefix="kpis-pg-"))  # short: a socket's path is limited to about 100 bytes
    if os.geteuid() == 0:  # the server refuses to run as root: the cluster belongs to Debian's postgres user
        shutil.chown(folder, "postgres", "postgres")
    _as_owner(["initdb", "-D", str(folder / "data"), "-U", "kpis", "-A", "trust", "-E", "UTF8", "--no-sync"])
    options = f"-k {folder} -c listen_addresses='' -p 5432 -c fsync=off -c synchronous_commit=off -c max_connections=300"
    _as_owner(["pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "log"), "-o", options, "-w", "start"])
    return Server(f"postgresql://kpis@/postgres?host={quote(str(folder))}&port=5432", folder)


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return str(Path(found[-1]).parent) if found else None


def _as_owner(command: list[str], check: bool = True) -> None:
    bindir = _bindir()
    assert bindir is not None
    full = [f"{bindir}/{command[0]}", *command[1:]]
    if os.geteuid() == 0:
        full = ["runuser", "-u", "postgres", "--", *full]
    subprocess.run(full, check=check, capture_output=True, timeout=120)
