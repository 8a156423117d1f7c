"""pytest fixtures for tests against a real PostgreSQL: a private cluster, a fresh database per
test, a misbehaving TCP proxy in front of the cluster.

``tests/conftest.py`` registers them, once, for every test module (a session that runs no
PostgreSQL test starts no cluster: the cluster fixture is made when first asked for).

The fixtures:

- ``pg_cluster`` (session): a :class:`~tests.support.postgres.PostgresCluster`, started once for
  the whole session and removed at its end. A test may ``restart()`` or ``stop()`` it; the next
  test that asks for ``pg_database`` finds it started again.
- ``pg_database`` (function): a fresh database, a :class:`~tests.support.postgres.Database`
  (``name``, ``url``: the superuser's URL to it), dropped after the test with every connection
  to it.
- ``pg_proxy`` (function): a :class:`~tests.support.tcp_proxy.TcpProxy` to the cluster's TCP
  port; ``pg_cluster.url(db.name, host=pg_proxy.host, port=pg_proxy.port)`` goes through it.

A machine without the PostgreSQL server fails these tests with what to install; it never skips
them (``scripts/setup`` installs Debian's ``postgresql``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.support.postgres import Database, PostgresCluster, PostgresError, PostgresMissing
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.start()
    except (PostgresMissing, PostgresError) as e:
        cluster.destroy()
        pytest.fail(str(e), pytrace=False)
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg_database(pg_cluster: PostgresCluster) -> Iterator[Database]:
    if not pg_cluster.running:  # an earlier test stopped it and failed before starting it
        pg_cluster.start()
    name = f"test_{secrets.token_hex(4)}"
    yield Database(name, pg_cluster.create_database(name))
    if not pg_cluster.running:
        pg_cluster.start()
    pg_cluster.drop_database(name)


@pytest.fixture
def pg_proxy(pg_cluster: PostgresCluster) -> Iterator[TcpProxy]:
    with TcpProxy((pg_cluster.host, pg_cluster.port)) as proxy:
        yield proxy


@pytest.fixture
def hub_url(pg_cluster: PostgresCluster, pg_database: Database,
            monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh hub's URL as staff write it in a campaign: no password in it; the password in
    PGPASSWORD, as the kiosk service's environment file gives it (libpq reads it there)."""
    monkeypatch.setenv("PGPASSWORD", pg_cluster.password)
    return pg_cluster.url(pg_database.name, user=pg_cluster.superuser)
