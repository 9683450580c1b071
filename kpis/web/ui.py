"""The few Streamlit pieces every page shares: the connection, the language, cached queries.

The only module of the package that imports streamlit. One DuckDB connection per
process (st.cache_resource), a cursor per call; cached results are keyed on the
database's data version so an upload is seen at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from kpis import store
from kpis.core.csv_safe import frame_to_csv
from kpis.core.errors import KpisError
from kpis.core.i18n import DEFAULT_LANG, LANGS, LANGUAGE_NAMES, Lang, problem_message, t
from kpis.core.markdown import escape, escape_params
from kpis.core.periods import Quarter, fmt_date, quarter_label
from kpis.intake.template import LAYOUTS, Layout
from kpis.ops.demo import build_demo_db
from kpis.output import views
from kpis.people import accounts
from kpis.store import audit
from kpis.web.given import period_choices

LANG_KEY = "lang"
NO_VALUE = "–"  # what a table cell without a value shows (st.dataframe's own placeholder is the word "None")
T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _connection(db_path: str) -> duckdb.DuckDBPyConnection:
    if store.is_server(db_path):
        return store.connect(db_path)
    path = Path(db_path)
    if not path.exists() and path == store.DEFAULT_DB.resolve():
        build_demo_db(path)  # a fresh clone starts on the demo data
    return store.connect(path)


def db_path() -> str:
    return str(store.resolve_db())


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor for this thread on the process-wide connection."""
    return store.cursor(_connection(db_path()))


def md(text: object) -> str:
    """User text (a file name, a unit, a note) for any Markdown place: shown as typed, never rendered."""
    return escape(text)


def tx(key: str, current: Lang, **params: object) -> str:
    """t() for a Markdown place (st.markdown/caption/info/error, labels): the parameters are shown as text."""
    return t(key, current, **escape_params(params))


def show_error(e: KpisError, current: Lang, box: Any = st) -> None:
    """The one place a page words a refusal: its message in current's language, its params shown as typed."""
    box.error(problem_message(e.code, escape_params(e.params), current))


@contextmanager
def refusals_shown(current: Lang, box: Any = st) -> Iterator[None]:
    """Run what a person asked for; a refusal (any KpisError) is shown in box instead, and the page goes on."""
    try:
        yield
    except KpisError as e:
        show_error(e, current, box)


def md_lines(first: str, rest: list[str]) -> str:
    """A message and its details as a Markdown list, every line escaped (problem texts carry user text)."""
    return "\n".join([escape(first), *(f"- {escape(line)}" for line in rest)])


def csv_download(frame: Any, label: str, file_name: str, key: str) -> None:
    """Our own CSV download for a table (formula-escaped), since .streamlit/config.toml turns off
    st.dataframe's built-in export, which writes "=cmd|..." cells as they are."""
    st.download_button(label, frame_to_csv(frame), file_name, "text/csv", key=key, on_click="ignore")


def lang() -> Lang:
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def language_switch() -> Lang:
    st.sidebar.radio(
        "Ngôn ngữ / Language",
        LANGS,
        key=LANG_KEY,
        format_func=LANGUAGE_NAMES.__getitem__,
        horizontal=True,
    )
    return lang()


def data_version() -> int:
    return store.data_version(cursor())


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_view(name: str, _func: Callable[..., Any], db: str, version: int, args: tuple) -> Any:
    """_func (not hashed: its leading underscore) is the function that name, its module and qualified name, stands for."""
    return _func(store.cursor(_connection(db)), *args)


def view(func: Callable[..., T], *args: Any) -> T:
    """func(cursor, *args), cached on (the function, arguments, data version): an upload is seen at once.

    The cache key names the function by module and qualified name, so kpis.followup.display.history_table
    and kpis.output.views.history_table are two entries, and the function called is the one given.
    A lambda or a function defined inside another has no such name and is refused.
    """
    qualname = getattr(func, "__qualname__", "")
    if not qualname or "<" in qualname:
        raise TypeError(f"ui.view needs a module-level function, not {func!r}")
    return _cached_view(f"{func.__module__}.{qualname}", func, db_path(), data_version(), args)


ACCOUNT_KEY = "_account"
PICKS_KEY = "_place_picks"  # the keys of the province and commune pick lists shown so far


def _forget_picks() -> None:
    """After a sign-in or sign-out the pick lists start again from the new account's own place."""
    for key in st.session_state.pop(PICKS_KEY, set()):
        st.session_state.pop(key, None)


def held_account() -> accounts.Account | None:
    """The account this session signed in with, without asking the database (pages re-check it)."""
    return st.session_state.get(ACCOUNT_KEY)


def open_database(current: Lang) -> None:
    """Open the connection now, saying so when the first start builds the demo database."""
    path = Path(db_path())
    if not path.exists() and path == store.DEFAULT_DB.resolve():
        with st.spinner(t("building_demo", current)):
            cursor()
    else:
        cursor()


def current_account() -> accounts.Account | None:
    """The signed-in account, re-read each run so a disabled account is signed out at once."""
    held = st.session_state.get(ACCOUNT_KEY)
    if held is None:
        return None
    fresh = accounts.get(cursor(), held.username)
    if fresh is None:
        st.session_state.pop(ACCOUNT_KEY, None)
    else:
        st.session_state[ACCOUNT_KEY] = fresh
    return fresh


def account_box(current: Lang) -> accounts.Account | None:
    """Sidebar: who is signed in and a sign-out button, or the sign-in form."""
    account = current_account()
    box = st.sidebar.container(border=True)
    if account is not None:
        box.markdown(
            tx(
                "signed_in_as",
                current,
                name=account.full_name or account.username,
                role=t(accounts.ROLE_LABELS[account.role], current),
            )
        )
        if box.button(t("sign_out", current), key="sidebar_sign_out"):
            audit.record(cursor(), account.username, "sign_out", account.username)
            st.session_state.pop(ACCOUNT_KEY, None)
            _forget_picks()
            if sso_configured() and getattr(st.user, "is_logged_in", False):
                st.logout()  # else the SSO session would sign the person straight back in
            st.rerun()
        return account
    if sso_configured():
        sso_account = _sso_account()
        if sso_account is not None:
            st.session_state[ACCOUNT_KEY] = sso_account
            _forget_picks()
            st.rerun()
        if box.button(t("sign_in_sso", current), key="sidebar_sso"):
            st.login()
    box.markdown(t("sign_in_title", current))
    # a form: the fields are sent together when the button is pressed, as browser autofill and password
    # managers expect (filled fields no longer each rerun the page, or count a try against the lock-out)
    with box.form("sidebar_sign_in_form", border=False):
        username = st.text_input(
            t("sign_in_username", current), max_chars=accounts.MAX_USERNAME, key="sidebar_username", autocomplete="username"
        )
        password = st.text_input(
            t("sign_in_password", current),
            type="password",
            max_chars=accounts.MAX_PASSWORD,
            key="sidebar_password",
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(t("sign_in", current), key="sidebar_sign_in")
    if submitted:
        with refusals_shown(current, box):
            st.session_state[ACCOUNT_KEY] = accounts.sign_in(cursor(), username, password)
            _forget_picks()
            st.rerun()
    if store.is_demo(cursor()):
        box.caption(t("demo_accounts", current, accounts=accounts.demo_accounts_line()))
    return None


def sso_configured() -> bool:
    """Single sign-on is on when .streamlit/secrets.toml has an [auth] section (Streamlit's st.login, OIDC)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error type
        return False


def _sso_account() -> accounts.Account | None:
    """The built-in account whose username is the signed-in SSO user's e-mail, if it exists and is enabled.

    SSO proves who the person is; what they may do stays in our accounts table (role and scope).
    """
    user = st.user
    if not getattr(user, "is_logged_in", False) or not user.get("email"):
        return None
    account = accounts.get(cursor(), str(user["email"]))
    if account is not None:
        audit.record(cursor(), account.username, "sign_in", account.username, {"via": "oidc"})
    return account


def require_writer(current: Lang) -> accounts.Account:
    """Stop the page, saying why, unless someone who may write figures is signed in."""
    account = current_account()
    if account is None:
        st.info(t("need_sign_in", current))
        st.stop()
    if account.must_change_password:  # the dashboard shows the change form first; this page writes nothing meanwhile
        st.info(t("need_password_change", current))
        st.stop()
    if not account.can_upload:
        st.info(t("need_writer", current))
        st.stop()
    return account


def writer_scope(account: accounts.Account) -> tuple[tuple[str, str | None], ...] | None:
    """The places an account writes for, as the upload checks take them (kpis.catalog.places.Scope): a
    commune name several provinces share is the one in the writer's scope. None for an administrator."""
    return None if account.is_admin else tuple((s.province, s.commune) for s in account.scopes)


def require_admin(current: Lang) -> accounts.Account:
    account = current_account()
    if account is None or not account.is_admin or account.must_change_password:
        st.info(t("need_admin", current))
        st.stop()
    return account


def require_account_manager(current: Lang) -> accounts.Account:
    """An administrator, or a province officer (who imports accounts for its own province); else stop the page."""
    account = current_account()
    if account is None or account.role not in ("admin", "province") or account.must_change_password:
        st.info(t("need_account_manager", current))
        st.stop()
    return account


# --- the first sign-in with a one-time (or reset) password (issue 15) ------------------------------------------

CHANGED_KEY = "_password_changed"  # set when the forced change succeeded: the next run says so once


def password_change_form(account: accounts.Account, current: Lang) -> None:
    """The only thing an account that must change its password sees: the new password, twice (rules as always)."""
    st.title(t("password_change_title", current))
    st.info(t("password_change_needed", current))
    with st.form("first_password_form"):
        new = st.text_input(
            t("password_change_new", current), type="password", max_chars=accounts.MAX_PASSWORD, key="first_password_new",
            autocomplete="new-password",
        )  # fmt: skip
        again = st.text_input(
            t("password_change_again", current), type="password", max_chars=accounts.MAX_PASSWORD, key="first_password_again",
            autocomplete="new-password",
        )  # fmt: skip
        submitted = st.form_submit_button(t("password_change_submit", current), key="first_password_submit")
    if submitted:
        with refusals_shown(current):
            st.session_state[ACCOUNT_KEY] = accounts.change_own_password(cursor(), account.username, new, again)
            st.session_state[CHANGED_KEY] = True
            st.rerun()


def password_changed_notice(current: Lang) -> None:
    if st.session_state.pop(CHANGED_KEY, False):
        st.success(t("password_change_done", current))


# --- the one-time passwords of a sheet of accounts just imported: in this session only, until left or done ---

ISSUED_KEY = "_issued_accounts"


def forget_issued_passwords(on_accounts_page: bool) -> None:
    """The one-time passwords are shown on the accounts page until "Xong" is pressed or the person leaves it."""
    if not on_accounts_page:
        st.session_state.pop(ISSUED_KEY, None)


def download_buttons(downloads: list, prefix: str, export_problem: str | None, extra_columns: int = 0) -> None:
    """Buttons for kpis.output.export.Download specs; each file is made only when clicked (Streamlit calls
    the spec's function then). Those needing a browser are off, with the reason shown above, when
    the server has none."""
    for spec, column in zip(downloads, st.columns(len(downloads) + extra_columns), strict=False):
        column.download_button(
            spec.label, spec.data, spec.file_name, spec.mime, key=f"{prefix}_{spec.kind}", on_click="ignore",
            disabled=spec.needs_browser and export_problem is not None,
        )  # fmt: skip


def own_scope() -> accounts.Scope | None:
    """The signed-in officer's first scope (a province, or a commune of it): the pick lists' default."""
    account = current_account()
    return account.scopes[0] if account is not None and account.scopes else None


def pick_province(box: Any, current: Lang, key: str) -> str:
    """The province pick list of every page: the registered provinces (type a few letters to find one),
    those with figures first; by default the signed-in officer's province, else the one with the most
    reporting communes. Stops the page if the database has no registry at all."""
    provinces = view(views.province_choices)
    if not provinces:
        st.info(t("no_data_yet", current))
        st.stop()
    scope = own_scope()
    wanted = _wanted(key)
    if wanted in provinces:
        index = provinces.index(wanted)
    else:
        index = provinces.index(scope.province) if scope is not None and scope.province in provinces else 0
    st.session_state.setdefault(PICKS_KEY, set()).add(key)
    return str(box.selectbox(t("pick_province", current), provinces, index=index, key=key))


def pick_scope(box: Any, current: Lang, key: str) -> str | None:
    """The overview's scope: the whole country (None) or a province; by default the signed-in officer's
    province, else the province with the most reporting communes (as pick_province)."""
    provinces = view(views.province_choices)
    if not provinces:
        st.info(t("no_data_yet", current))
        st.stop()
    options: list[str | None] = [None, *provinces]
    scope = own_scope()
    wanted = _wanted(key)
    if wanted in provinces or wanted == WHOLE:
        index = 0 if wanted == WHOLE else options.index(wanted)
    else:
        index = options.index(scope.province) if scope is not None and scope.province in provinces else 1
    st.session_state.setdefault(PICKS_KEY, set()).add(key)
    label = t("board_whole_country", current)
    shown = lambda p: label if p is None else p  # noqa: E731
    return box.selectbox(t("board_scope", current), options, index=index, key=key, format_func=shown)


GOTO_KEY = "_goto"  # pick-list key -> the value a link asked for, used once as that list's default
WHOLE = "<whole>"  # a goto value standing for the pick lists' None (the whole country, or no commune)


def _wanted(key: str) -> str | None:
    return st.session_state.get(GOTO_KEY, {}).pop(key, None)


def goto(page: str | None, picks: dict[str, str | None]) -> None:
    """Open a page (None: this one again) with its pick lists set to picks: the lists' own keys are dropped
    so that their default (the value asked for) applies, rather than setting a widget's state from outside."""
    for key in picks:
        st.session_state.pop(key, None)
    st.session_state[GOTO_KEY] = {k: (WHOLE if v is None else v) for k, v in picks.items()}
    if page is None:
        st.rerun()
    st.switch_page(page)


def pick_commune(box: Any, current: Lang, province: str, key: str, whole: str | None = None) -> str | None:
    """Every registered commune of the chosen province, reported or not, in Vietnamese alphabetical
    order (searchable). With whole, a first choice (None) stands for the whole province or no commune
    and is the default; without, the first commune with figures is. The signed-in officer's own
    commune comes before either."""
    communes = view(views.commune_choices, province)
    options: list[str | None] = [None, *communes] if whole is not None else list(communes)
    scope = own_scope()
    wanted = _wanted(key)
    if wanted in communes:
        index = options.index(wanted)
    elif scope is not None and scope.province == province and scope.commune in communes:
        index = options.index(scope.commune)
    elif whole is None and (reporting := view(views.communes_with_data, province)):
        index = options.index(reporting[0])
    else:
        index = 0
    label = t("pick_commune", current)
    st.session_state.setdefault(PICKS_KEY, set()).add(key)
    return box.selectbox(label, options, index=index, key=key, format_func=lambda c: whole if c is None else c)


TEMPLATE_LAYOUT_LABELS = {"form": "template_layout_form", "table": "template_layout_table"}


def template_download(current: Lang) -> None:
    """The template's layout, province, commune and period pickers, and its download button (pre-filled for a
    commune: the signed-in officer's by default). The form names its commune and period in its title rows:
    without a commune it is not offered. The period is the quarter now due unless another is picked."""
    with st.expander(t("template_get", current)):
        layout: Layout = st.radio(
            t("template_layout", current),
            LAYOUTS[::-1],  # the form first: the layout offices fill by hand
            format_func=lambda name: t(TEMPLATE_LAYOUT_LABELS[name], current),
            key="template_layout",
        )
        left, right = st.columns(2)
        province = pick_province(left, current, "template_province")
        commune = pick_commune(right, current, province, "template_commune", whole=t("template_any_commune", current))
        if layout == "form" and commune is None:
            st.info(t("template_form_pick_commune", current))
            return
        # the quarter now due by default; the tidy table's Năm and Quý columns are filled with it too
        period: Quarter | None = st.selectbox(
            t("template_period", current),
            period_choices(reference_day())[1:],
            format_func=lambda q: quarter_label(q[0], q[1], current),
            key="template_period",
        )
        name, data = view(views.template_bytes, province, commune, current, layout, period)
        st.download_button(t("template_download", current), data, name, key="template_download")


def pick_period(box: Any, current: Lang, key: str) -> Quarter | None:
    """The upload's "Kỳ báo cáo": "Theo tệp" (None, the default: the file says its period), then the quarter
    now due (as of reference_day) and the quarters before it. The file's own period wins; a file that says
    another period than the one picked is refused, naming both."""

    def label(q: Quarter | None) -> str:
        return t("upload_period_from_file", current) if q is None else quarter_label(q[0], q[1], current)

    options = period_choices(reference_day())
    chosen: Quarter | None = box.selectbox(
        t("upload_period", current), options, format_func=label, help=t("upload_period_help", current), key=key
    )
    return chosen


def reference_day() -> dt.date:
    """The day the figures stand for (store.reference_day): today, or a demo database's own day."""
    return store.reference_day(cursor())


def demo_notice(current: Lang) -> None:
    if store.is_demo(cursor()):
        st.info(t("demo_notice", current, day=fmt_date(reference_day(), current)), icon=":material/info:")


def require_data(current: Lang) -> bool:
    """Tell the user there is nothing to show yet, and say so to the caller."""
    if not view(views.years):
        st.info(t("no_data_yet", current))
        return False
    return True
