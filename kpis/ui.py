"""The few Streamlit pieces every page shares: the connection, the language, cached queries.

The only module of the package that imports streamlit. One DuckDB connection per
process (st.cache_resource), a cursor per call; cached results are keyed on the
database's data version so an upload is seen at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from kpis import store, views
from kpis.demo import build_demo_db
from kpis.i18n import DEFAULT_LANG, LANGS, Lang, t

LANG_KEY = "lang"
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _connection(db_path: str) -> duckdb.DuckDBPyConnection:
    path = Path(db_path)
    if not path.exists() and path == store.DEFAULT_DB.resolve():
        build_demo_db(path)  # a fresh clone starts on the demo data
    return store.connect(path)


def db_path() -> str:
    return str(store.resolve_db_path())


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor for this thread on the process-wide connection."""
    return _connection(db_path()).cursor()


def lang() -> Lang:
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def language_switch() -> Lang:
    st.sidebar.radio(
        "Ngôn ngữ / Language",
        LANGS,
        key=LANG_KEY,
        format_func=lambda code: "Tiếng Việt" if code == "vi" else "English",
        horizontal=True,
    )
    return lang()


def data_version() -> int:
    return store.data_version(cursor())


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_view(name: str, db: str, version: int, args: tuple) -> Any:
    return getattr(views, name)(_connection(db).cursor(), *args)


def view(func: Callable[..., T], *args: Any) -> T:
    """Call a kpis.views function, cached on (arguments, data version): an upload is seen at once."""
    return _cached_view(func.__name__, db_path(), data_version(), args)


def demo_notice(current: Lang) -> None:
    if store.is_demo(cursor()):
        st.info(t("demo_notice", current), icon="ℹ️")


def require_data(current: Lang) -> bool:
    """Tell the user there is nothing to show yet, and say so to the caller."""
    if data_version() == 0:
        st.info(t("no_data_yet", current))
        return False
    return True
