"""One error base: every refusal is a KpisError (code + params), worded by kpis.core.i18n in one place per surface."""

from __future__ import annotations

import pickle

import pytest

from kpis import cli, store
from kpis.catalog.model import CatalogError
from kpis.core.errors import KpisError, TextError
from kpis.core.i18n import CATALOGS, LANGS
from kpis.core.parse import ParseError, parse_count
from kpis.intake.ingest import IngestError
from kpis.intake.template import TemplateError, resolve_scope
from kpis.ops.demo import RealDatabaseError
from kpis.ops.rebuild import RebuildError, RebuildRefused
from kpis.output import meeting, meeting_charts
from kpis.output.export import ExportUnavailable
from kpis.output.meeting import MeetingError
from kpis.people.accounts import AccountError

CODED = [IngestError, ParseError, AccountError, TemplateError, MeetingError]
TEXT = [
    CatalogError,
    store.StoreError,
    store.JournalError,
    store.DatabaseInUse,
    RealDatabaseError,
    RebuildError,
    ExportUnavailable,
]


@pytest.mark.parametrize("cls", CODED + TEXT, ids=lambda c: c.__name__)
def test_every_named_error_is_a_kpis_error_with_its_words(cls):
    assert issubclass(cls, KpisError)
    if issubclass(cls, TextError):
        assert cls.text_code in CATALOGS["vi"].strings, cls.text_code
        e = cls("d.duckdb: cannot open the database")
        assert [e.message(lang) for lang in LANGS] == ["d.duckdb: cannot open the database"] * 2


def test_a_coded_error_keeps_its_code_and_params_and_reads_in_each_language():
    with pytest.raises(ParseError) as err:
        parse_count("-5")
    assert isinstance(err.value, ValueError)  # as before the base: callers catching ValueError still do
    assert err.value.code == "count_negative" and err.value.params == {"value": "-5"}
    assert err.value.message("vi") != err.value.message("en") == str(err.value) == "-5 is negative; enter 0 or more."


def test_an_error_crosses_a_process_boundary_whole():
    """The parsing child pickles what it raises; code, params and text survive."""
    coded = pickle.loads(pickle.dumps(IngestError("file_parser_failed", reason="memory")))
    assert (type(coded), coded.code, coded.params) == (IngestError, "file_parser_failed", {"reason": "memory"})
    text = pickle.loads(pickle.dumps(store.DatabaseInUse("x: stop it first")))
    assert (type(text), text.text, text.exit_code) == (store.DatabaseInUse, "x: stop it first", 2)


def test_rebuild_refused_keeps_the_rebuilt_file(tmp_path):
    e = RebuildRefused("figures differ", tmp_path / "kpis.rebuild.duckdb")
    assert isinstance(e, KpisError) and e.kept == tmp_path / "kpis.rebuild.duckdb" and str(e) == "figures differ"


def test_domain_messages_name_no_command_line_flag(con):
    """What meeting and template raise reads well on a page; only the CLI's wording names --flags."""
    refusals = []
    for call in (
        lambda: resolve_scope(con, None, None, 2025, None),
        lambda: resolve_scope(con, None, None, 2025, 5),
        lambda: meeting_charts.figure(con, "pie", meeting.Area("Điện Biên"), 2025, "en"),
        lambda: meeting_charts.ranking_figure(con, meeting.Area("Điện Biên"), "", 2025, "en"),
        lambda: meeting_charts.ranking_figure(con, meeting.Area("Điện Biên"), "nope", 2025, "en"),
    ):
        with pytest.raises(KpisError) as err:
            call()
        refusals.append(err.value)
    for e in refusals:
        for lang in LANGS:
            assert "--" not in e.message(lang), e.message(lang)
        assert e.code in cli.CLI_WORDING
        assert "--" in CATALOGS["en"].strings[cli.CLI_WORDING[e.code]]


def test_the_cli_words_a_refusal_once_naming_the_flag(con, db_path, tmp_path, capsys):
    out = tmp_path / "x.png"
    assert cli.main(["export", "--db", str(db_path), "--year", "2025", "--out", str(out), "--chart", "pie", "--lang", "en"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"{out}: --chart must be one of: ranking, trend, heatmap, summary (got 'pie')"
    assert cli.main(["export", "--db", str(db_path), "--year", "2025", "--out", str(out), "--chart", "pie"]) == 1
    assert "nhận được «pie»" in capsys.readouterr().err  # the chosen language (Vietnamese by default)
