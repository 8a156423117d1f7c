"""One store per process; each thread gets its own connection from it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import pytest

from kiosk.store import StorageError, open_store
from kiosk.store.db import Store


def _on_a_thread(work: Callable[[], object]) -> object:
    out: list[object] = []

    def run() -> None:
        try:
            out.append(work())
        except BaseException as e:  # handed back to the test's thread
            out.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def test_open_store_checks_the_store_when_opened(data_dir):
    store = open_store(data_dir)
    try:
        assert isinstance(store, Store) and not store.read_only
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    finally:
        store.close()


def test_each_thread_has_its_own_connection(store):
    mine = store.conn
    assert store.conn is mine, "one connection per thread, kept"
    theirs = _on_a_thread(lambda: id(store.conn))
    assert theirs != id(mine)


def test_a_worker_step_lets_go_of_its_connection(store):
    def step() -> tuple[int, int, bool]:
        with store.thread_connection() as conn:
            letters = conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
            same = store.conn is conn
        try:
            conn.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            closed = True
        else:
            closed = False
        return letters, same, closed

    assert _on_a_thread(step) == (0, True, True)


def test_a_thread_that_had_a_connection_keeps_it(store):
    mine = store.conn
    with store.thread_connection() as conn:
        assert conn is mine
    assert store.conn.execute("SELECT 1").fetchone()[0] == 1


def test_work_on_another_thread_is_seen_by_this_one(store):
    def write() -> None:
        with store.thread_connection():
            store.audit("test", "from.a.worker")

    _on_a_thread(write)
    actions = [r[0] for r in store.conn.execute("SELECT action FROM audit")]
    assert "from.a.worker" in actions


def test_a_closed_store_opens_no_connection_again(data_dir):
    store = open_store(data_dir)
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.conn  # noqa: B018
    with pytest.raises(sqlite3.ProgrammingError):
        _on_a_thread(lambda: store.conn)


def test_reading_opens_read_only_where_the_folder_cannot_be_written(data_dir, monkeypatch):
    open_store(data_dir).close()
    import kiosk.store.opening as opening

    monkeypatch.setattr(opening, "folder_is_writable", lambda folder: False)
    with pytest.raises(StorageError) as refused:
        open_store(data_dir)
    assert refused.value.kind == "read_only"
    store = open_store(data_dir, reading=True)
    try:
        assert store.read_only
        assert _on_a_thread(lambda: store.conn.execute("PRAGMA query_only").fetchone()[0]) == 1
    finally:
        store.close()


def test_a_store_damaged_between_steps_is_refused_at_the_next_step(store, data_dir):
    """Each worker step opens its connection again, which looks at the file again."""
    (data_dir / "kiosk.sqlite3").write_bytes(b"")  # emptied behind the kiosk's back

    def step() -> None:
        with store.thread_connection():
            pass

    with pytest.raises(StorageError):
        _on_a_thread(step)
