"""kpis.web.ui.view: cached calls keyed on the function itself, run without a Streamlit runtime (st.cache_data works bare)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from kpis import store
from kpis.followup import display
from kpis.intake.importer import import_file
from kpis.output import views
from kpis.web import ui
from tests.conftest import csv_bytes


@pytest.fixture
def served(con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database the pages would read (KPIS_DB), with one accepted submission; the caches emptied around the test."""
    row = ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, 3, "citizen_reach", 450, 500, ""]
    assert import_file(con, csv_bytes([row]), "muong_mun_q3.csv").accepted
    monkeypatch.setenv("KPIS_DB", store.db_address(con))
    ui._cached_view.clear()
    yield con
    ui._cached_view.clear()
    ui._connection.clear()


def test_two_functions_of_one_name_are_two_views(served: duckdb.DuckDBPyConnection) -> None:
    """ui.view once looked functions up by __name__ in views: display.history_table silently ran views.history_table."""
    assert views.history_table.__name__ == display.history_table.__name__
    submissions = ui.view(views.history_table, "en")
    task_updates = ui.view(display.history_table, "en")
    assert list(submissions.columns) == list(views.history_table(served, "en").columns)
    assert list(task_updates.columns) == list(display.history_table(served, "en").columns)
    assert list(submissions.columns) != list(task_updates.columns)
    assert submissions.iloc[0].tolist()[1] == "muong_mun_q3.csv" and task_updates.empty
    # and in the other order, from the cache: each key still gives its own function's result
    assert list(ui.view(display.history_table, "en").columns) == list(task_updates.columns)
    assert list(ui.view(views.history_table, "en").columns) == list(submissions.columns)


def test_a_function_without_a_stable_name_is_refused(served: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(TypeError, match="module-level function"):
        ui.view(lambda con: con.execute("SELECT 1").fetchall())


class _Box:
    """Where a page shows a message (st, a column, a container): here, a list of what was shown."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def error(self, text: str) -> None:
        self.shown.append(text)


def test_a_refusal_reads_on_a_page_as_it_does_on_the_command_line() -> None:
    """ui.show_error words an error as KpisError.message does (suggestions, numbers), with typed text escaped."""
    from kpis.intake.template import TemplateError

    e = TemplateError("template_commune_unknown", commune="Muong *Mum*", suggest="Mường Mùn")
    box = _Box()
    ui.show_error(e, "vi", box)
    assert box.shown == ["Xã «Muong \\*Mum\\*» chưa có trong danh mục. Có phải là: Mường Mùn?"]
    ui.show_error(e, "en", box)
    assert box.shown[1] == "commune 'Muong \\*Mum\\*' is not in the registry. Did you mean: Mường Mùn?"
    assert e.message("en") == "commune 'Muong *Mum*' is not in the registry. Did you mean: Mường Mùn?"
