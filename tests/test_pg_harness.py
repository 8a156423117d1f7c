"""The PostgreSQL test harness itself (issue 12's groundwork): a private cluster reached over TCP
and a Unix socket, databases and password roles, restarts, LISTEN/NOTIFY, and a TCP proxy that
cuts, holds, delays, refuses and loses a COMMIT's acknowledgement. Runs as root too.

No test sleeps to let something happen: each waits on the event itself with a deadline (a
client-side timeout, ``notifies(timeout=...)``, ``Event.wait``) and checks how long it took.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from tests.support import postgres
from tests.support.postgres import Database, PostgresCluster, PostgresMissing
from tests.support.tcp_proxy import TcpProxy

DEADLINE = 5.0  # seconds: anything a fault should cause happens well within this


def via(cluster: PostgresCluster, db: Database, proxy: TcpProxy, **options: str | int) -> str:
    """The superuser's URL to ``db`` through ``proxy``."""
    options.setdefault("connect_timeout", 3)
    return cluster.url(db.name, host=proxy.host, port=proxy.port, **options)


@contextlib.contextmanager
def client_deadline(conn: psycopg.Connection, seconds: float) -> Iterator[None]:
    """A client-side timeout for whatever ``conn`` does inside: when it expires, the
    connection's socket is shut down under it, so the blocked call fails with
    OperationalError. (A server-side ``statement_timeout`` cannot help when the query never
    reaches the server; TCP keepalives cannot when a peer's kernel still acknowledges.)"""

    def expire() -> None:
        # shutdown() acts on the socket itself, so a duplicate of its descriptor will do
        with contextlib.suppress(OSError), socket.socket(fileno=os.dup(conn.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, expire)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join(DEADLINE)


def elapsed_since(start: float) -> float:
    return time.monotonic() - start


# --- the cluster -----------------------------------------------------------------------------


def test_cluster_answers_over_tcp_and_over_its_own_socket(pg_cluster: PostgresCluster) -> None:
    with psycopg.connect(pg_cluster.url(connect_timeout=3)) as conn:
        addr, port, fsync, data = conn.execute(
            "SELECT inet_server_addr(), inet_server_port(), current_setting('fsync'),"
            " current_setting('data_directory')"
        ).fetchone()
    assert (str(addr), port, fsync) == ("127.0.0.1", pg_cluster.port, "off")
    assert data == str(pg_cluster.data_dir)  # ours, not a system cluster
    with psycopg.connect(pg_cluster.url(socket=True, connect_timeout=3)) as conn:
        addr, sockets = conn.execute(
            "SELECT inet_server_addr(), current_setting('unix_socket_directories')"
        ).fetchone()
    assert addr is None  # a Unix socket has no address
    assert sockets == str(pg_cluster.socket_dir)
    assert (pg_cluster.socket_dir / f".s.PGSQL.{pg_cluster.port}").is_socket()


def test_a_database_and_a_login_role_with_a_password(
    pg_cluster: PostgresCluster, pg_database: Database
) -> None:
    role, password = f"kiosk_{secrets.token_hex(3)}", "s3cret 'quoted' @/:?"
    pg_cluster.create_role(role, password)
    with psycopg.connect(pg_database.url, autocommit=True) as admin:
        admin.execute("CREATE TABLE letters (id text PRIMARY KEY)")
        admin.execute(f"GRANT SELECT, INSERT ON letters TO {role}")
    for over_socket in (False, True):
        url = pg_cluster.url(
            pg_database.name, user=role, password=password, socket=over_socket, connect_timeout=3
        )
        with psycopg.connect(url) as conn:
            conn.execute("INSERT INTO letters VALUES (%s)", [f"by-{role}-{over_socket}"])
            assert conn.execute("SELECT current_user").fetchone() == (role,)
        wrong = pg_cluster.url(
            pg_database.name, user=role, password="wrong", socket=over_socket, connect_timeout=3
        )
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(wrong)
    with psycopg.connect(pg_database.url) as admin:
        assert admin.execute("SELECT count(*) FROM letters").fetchone() == (2,)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_restart_cuts_connections_and_new_ones_work(
    pg_cluster: PostgresCluster, pg_database: Database, mode: postgres.StopMode
) -> None:
    old = psycopg.connect(pg_database.url, autocommit=True)
    old.execute("CREATE TABLE letters (id text PRIMARY KEY)")
    old.execute("INSERT INTO letters VALUES ('before')")
    port = pg_cluster.port
    pg_cluster.restart(mode)  # "immediate" is a crash: the server recovers from its WAL
    assert pg_cluster.port == port
    with pytest.raises(psycopg.OperationalError):
        old.execute("SELECT 1")
    old.close()
    with psycopg.connect(pg_database.url, connect_timeout=3) as new:
        assert new.execute("SELECT id FROM letters").fetchall() == [("before",)]


def test_listen_notify_over_direct_connections(
    pg_cluster: PostgresCluster, pg_database: Database
) -> None:
    with (
        psycopg.connect(pg_database.url, autocommit=True) as listener,
        psycopg.connect(pg_database.url, autocommit=True) as notifier,
    ):
        listener.execute("LISTEN hub_changed")
        notifier.execute("SELECT pg_notify('hub_changed', 'letters')")
        start = time.monotonic()
        got = list(listener.notifies(timeout=DEADLINE, stop_after=1))
        assert [(n.channel, n.payload) for n in got] == [("hub_changed", "letters")]
        assert elapsed_since(start) < DEADLINE
        assert list(listener.notifies(timeout=0.05)) == []  # nothing more was sent


def test_terminated_listen_connection_fails_its_wait(
    pg_cluster: PostgresCluster, pg_database: Database
) -> None:
    with psycopg.connect(pg_database.url, autocommit=True) as listener:
        listener.execute("LISTEN hub_changed")
        # an administrator (or a failover) ends the hub's sessions: the panel's wait must end
        assert pg_cluster.terminate_backends(dbname=pg_database.name) == 1
        start = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            list(listener.notifies(timeout=DEADLINE))
        assert elapsed_since(start) < 1.0


def test_missing_server_is_a_clear_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setattr(postgres, "_candidate_bindirs", lambda: iter(()))
    with pytest.raises(PostgresMissing, match=r"scripts/setup"):
        PostgresCluster().start()
    monkeypatch.setenv("PG_BINDIR", "/nonexistent")
    with pytest.raises(PostgresMissing, match="PG_BINDIR"):
        postgres.find_bindir()


# --- through the proxy -----------------------------------------------------------------------


def test_proxy_passes_queries_through(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    with psycopg.connect(via(pg_cluster, pg_database, pg_proxy)) as conn:
        assert conn.execute("SELECT inet_server_port()").fetchone() == (pg_cluster.port,)
        assert pg_proxy.connections == 1
    assert pg_proxy.accepted == 1
    assert pg_proxy.forwarded["client_to_server"] > 0
    assert pg_proxy.forwarded["server_to_client"] > 0


def test_cut_fails_the_next_query_at_once(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    conn = psycopg.connect(via(pg_cluster, pg_database, pg_proxy))
    conn.execute("SELECT 1")
    assert pg_proxy.cut() == 1
    start = time.monotonic()
    with client_deadline(conn, DEADLINE), pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    assert elapsed_since(start) < 1.0  # the reset, not the deadline
    conn.close()
    with psycopg.connect(via(pg_cluster, pg_database, pg_proxy)) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_hold_hangs_a_query_until_the_clients_timeout(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    # keepalives every second: they do not help, the proxy's kernel answers them
    conn = psycopg.connect(
        via(pg_cluster, pg_database, pg_proxy, keepalives_idle=1, keepalives_interval=1)
    )
    conn.execute("SELECT 1")
    pg_proxy.hold()
    start = time.monotonic()
    with client_deadline(conn, 0.5), pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    assert 0.5 <= elapsed_since(start) < DEADLINE
    conn.close()


def test_hold_times_out_a_new_connection(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    pg_proxy.hold()
    start = time.monotonic()
    with pytest.raises(psycopg.OperationalError, match="timeout"):
        psycopg.connect(via(pg_cluster, pg_database, pg_proxy, connect_timeout=2))
    assert 2 <= elapsed_since(start) < 2 + DEADLINE
    assert pg_proxy.accepted == 1  # accepted, then nothing: a black hole, not a refusal


def test_release_lets_a_held_query_finish(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    conn = psycopg.connect(via(pg_cluster, pg_database, pg_proxy))
    conn.execute("SELECT 1")
    pg_proxy.hold()
    results: list[object] = []
    done = threading.Event()

    def query() -> None:
        try:
            results.append(conn.execute("SELECT 42").fetchone())
        except Exception as e:
            results.append(e)
        done.set()

    worker = threading.Thread(target=query)
    worker.start()
    try:
        assert not done.wait(0.3), f"a held query answered: {results}"
        pg_proxy.release()
        assert done.wait(DEADLINE)
    finally:
        pg_proxy.release()
        worker.join(DEADLINE)
    assert results == [(42,)]
    conn.close()


@pytest.mark.parametrize("let_through", [0, 7])  # nothing; part of CommandComplete
def test_drop_after_loses_the_commits_reply_but_the_server_committed(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy, let_through: int
) -> None:
    with psycopg.connect(pg_database.url, autocommit=True) as direct:
        direct.execute("CREATE TABLE letters (id text PRIMARY KEY)")
    conn = psycopg.connect(via(pg_cluster, pg_database, pg_proxy))
    conn.execute("INSERT INTO letters VALUES ('L-1')")
    pg_proxy.drop_after(let_through, "server_to_client")
    start = time.monotonic()
    with client_deadline(conn, DEADLINE), pytest.raises(psycopg.OperationalError):
        conn.commit()
    assert elapsed_since(start) < 1.0
    assert pg_proxy.dropped.is_set()
    conn.close()
    with psycopg.connect(pg_database.url) as direct:
        assert direct.execute("SELECT id FROM letters").fetchall() == [("L-1",)]


def test_drop_after_towards_the_server_loses_the_commit_itself(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    with psycopg.connect(pg_database.url, autocommit=True) as direct:
        direct.execute("CREATE TABLE letters (id text PRIMARY KEY)")
    conn = psycopg.connect(via(pg_cluster, pg_database, pg_proxy))
    conn.execute("INSERT INTO letters VALUES ('L-1')")
    pg_proxy.drop_after(0, "client_to_server")
    with client_deadline(conn, DEADLINE), pytest.raises(psycopg.OperationalError):
        conn.commit()
    conn.close()
    with psycopg.connect(pg_database.url) as direct:
        assert direct.execute("SELECT count(*) FROM letters").fetchone() == (0,)


def test_refuse_closes_new_connections_only(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    with psycopg.connect(via(pg_cluster, pg_database, pg_proxy)) as existing:
        pg_proxy.refuse()
        start = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(via(pg_cluster, pg_database, pg_proxy))
        assert elapsed_since(start) < 1.0
        assert existing.execute("SELECT 1").fetchone() == (1,)
        pg_proxy.pass_through()
        with psycopg.connect(via(pg_cluster, pg_database, pg_proxy)) as fresh:
            assert fresh.execute("SELECT 1").fetchone() == (1,)


def test_delay_slows_every_reply(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    with psycopg.connect(via(pg_cluster, pg_database, pg_proxy)) as conn:
        pg_proxy.delay(0.1)
        start = time.monotonic()
        for _ in range(3):
            conn.execute("SELECT 1")
        assert 0.3 <= elapsed_since(start) < DEADLINE
        pg_proxy.pass_through()
        start = time.monotonic()
        for _ in range(3):
            conn.execute("SELECT 1")
        assert elapsed_since(start) < 0.3


def test_hub_restarted_behind_the_proxy_connections_come_back(
    pg_cluster: PostgresCluster, pg_database: Database, pg_proxy: TcpProxy
) -> None:
    conn = psycopg.connect(via(pg_cluster, pg_database, pg_proxy))
    conn.execute("SELECT 1")
    pg_cluster.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(via(pg_cluster, pg_database, pg_proxy))  # the server is down
    pg_cluster.start()
    with pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")  # the old connection died with the server
    conn.close()
    with psycopg.connect(via(pg_cluster, pg_database, pg_proxy)) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_proxy_stops_cleanly_with_connections_open(
    pg_cluster: PostgresCluster, pg_database: Database
) -> None:
    proxy = TcpProxy((pg_cluster.host, pg_cluster.port)).start()
    conn = psycopg.connect(via(pg_cluster, pg_database, proxy))
    conn.execute("SELECT 1")
    proxy.hold()  # even with a connection held
    proxy.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("tcp-proxy:")]
    with client_deadline(conn, DEADLINE), pytest.raises(psycopg.OperationalError):
        conn.execute("SELECT 1")
    conn.close()
