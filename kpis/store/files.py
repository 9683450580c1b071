"""Kept files: every accepted upload's original bytes, under uploads/ named by their sha256.

They are what rebuild replays (with the journal) and what the history page offers for download.
A file's name as a person typed it never reaches the disk; only a short plain extension does.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import duckdb

from kpis.core.settings import MAX_NAME_CHARS
from kpis.store.errors import StoreError
from kpis.store.paths import fsync_dir, uploads_dir

_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def safe_suffix(file_name: str) -> str:
    """The name's extension if it is a short plain one (.xlsx, .csv), else '': nothing else of a name reaches the disk."""
    suffix = Path(file_name.replace("\\", "/")).suffix.lower()
    return suffix if _SAFE_SUFFIX.fullmatch(suffix) else ""


def recorded_name(file_name: str, limit: int = MAX_NAME_CHARS) -> str:
    """The uploaded name as kept in the database: whole up to limit characters, else cut with '…' (extension kept)."""
    if len(file_name) <= limit:
        return file_name
    suffix = safe_suffix(file_name)
    return file_name[: limit - 1 - len(suffix)] + "…" + suffix


def keep_file(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> tuple[str, Path]:
    """Keep bytes under uploads/ named by their sha256 (and a plain extension); returns (sha256, path)."""
    sha = hashlib.sha256(data).hexdigest()
    kept = uploads_dir(con) / f"{sha}{safe_suffix(file_name) or '.bin'}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if not kept.exists():  # durable before the journal line that names it is written
        # a name of its own: processes sharing the folder may keep the same bytes at the same moment
        fd, name = tempfile.mkstemp(dir=kept.parent, prefix=f"{kept.name}.", suffix=".tmp")
        os.fchmod(fd, 0o644)  # as a plain new file is (mkstemp makes it 0600): a backup job may read it as another user
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(name).replace(kept)
        fsync_dir(kept.parent)
    return sha, kept


def kept_file(con: duckdb.DuckDBPyConnection, submission_id: int) -> tuple[str, bytes]:
    """The original file of a submission, as it was uploaded: (file name, bytes)."""
    row = con.execute("SELECT file_name, stored_path FROM submissions WHERE id = ?", [submission_id]).fetchone()
    if row is None:
        raise StoreError(f"submission {submission_id} does not exist")
    path = uploads_dir(con) / row[1]
    try:
        return row[0], path.read_bytes()
    except OSError as e:
        raise StoreError(f"{path}: the kept file of submission {submission_id} is missing") from e
