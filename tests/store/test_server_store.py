"""What the store on PostgreSQL adds to the file store: addresses, refusals that say what to do, no password shown."""

from __future__ import annotations

import pytest

from kpis import store
from tests.conftest import Kpis
from tests.postgres_server import Server


def test_a_database_the_server_lacks_is_refused_naming_it_without_its_password(postgres_server: Server) -> None:
    url = postgres_server.url("no_such_database").replace("://kpis@", "://kpis:do-not-show-me@")
    with pytest.raises(store.StoreError) as refused:
        store.connect(url)
    message = str(refused.value)
    assert "no_such_database" in message and "cannot open the database on the server" in message
    assert "do-not-show-me" not in message and "kpis:***@" in message
    assert refused.value.__cause__ is None  # DuckDB's own error (which names the password) is not chained on


@pytest.mark.parametrize("command", [["demo"], ["rebuild"]])
def test_commands_that_build_a_file_refuse_a_server_address(kpis: Kpis, command: list[str]) -> None:
    ran = kpis(*command, "--db", "postgresql://kpis@/nq57?host=/nowhere")
    assert ran.returncode == 2
    assert "builds a DuckDB file and does not write to PostgreSQL" in ran.stderr and "docs/deploy.md" in ran.stderr


def test_the_address_a_connection_is_known_by(con) -> None:
    address = store.db_address(con)
    again = store.connect(address)  # what --db or KPIS_DB would say opens the same database
    try:
        count = "SELECT count(*) FROM communes"
        assert again.execute(count).fetchone() == con.execute(count).fetchone()
        assert store.is_server(address) == store.on_server(con)
    finally:
        again.close()
