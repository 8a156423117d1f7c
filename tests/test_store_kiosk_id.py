"""Every letter and print job says which kiosk wrote it: an id made once per store, kept in it."""

from __future__ import annotations

import re
import sqlite3

from kiosk.store import Store
from kiosk.store.opening import migrate
from kiosk.store.salvage import salvage
from kiosk.store.schema import MIGRATIONS, VERSION
from tests.support.letters import add_letters
from tests.support.stores import DB, make_store, overwrite_pages, pages_of

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _ids(store: Store, table: str) -> set[str]:
    return {r[0] for r in store.conn.execute(f"SELECT kiosk_id FROM {table}")}


def test_a_new_store_makes_its_kiosk_id_once_and_puts_it_on_letters_and_print_jobs(data_dir):
    store = Store(data_dir)
    try:
        kiosk_id = store.kiosk_id
        assert UUID.match(kiosk_id)
        add_letters(store, 3)
        assert _ids(store, "letters") == _ids(store, "print_jobs") == {kiosk_id}
    finally:
        store.close()
    again = Store(data_dir)
    try:
        assert again.kiosk_id == kiosk_id, "kept in the store, not made again at each start"
    finally:
        again.close()


def test_two_stores_two_kiosk_ids(tmp_path):
    ids = set()
    for name in ("a", "b"):
        store = Store(tmp_path / name)
        ids.add(store.kiosk_id)
        store.close()
    assert len(ids) == 2


def test_a_store_from_before_the_kiosk_id_gives_its_rows_this_kiosks_id(data_dir):
    # A store as the kiosk left it at schema 2, with letters and print jobs in it.
    conn = sqlite3.connect(data_dir / DB, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for version, script in enumerate(MIGRATIONS[:2]):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    at = "2026-11-01T12:00:00.000+00:00"
    for i in (1, 2):
        conn.execute(
            """INSERT INTO letters (id, session_id, created_at, campaign_id, recipient_id,
                   language, salutation, body, closing, signature, full_text, address_lines,
                   postage_free, sign_mode, by_print, by_email)
               VALUES (?, ?, ?, 'test', 'pm', 'en', 'Dear', 'Body', 'Yours', 'Me', 'All',
                       '[]', 1, 'full', 1, 0)""", (i, f"s{i}", at))
        conn.execute("INSERT INTO print_jobs (letter_id, created_at, updated_at) VALUES (?,?,?)",
                     (i, at, at))
    conn.close()

    store = Store(data_dir)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
        kiosk_id = store.kiosk_id
        assert UUID.match(kiosk_id)
        assert _ids(store, "letters") == _ids(store, "print_jobs") == {kiosk_id}
        assert [r.session_id for r in store.letters()] == ["s1", "s2"]
        add_letters(store, 1)
        assert _ids(store, "letters") == {kiosk_id}
    finally:
        store.close()


def test_migrating_twice_changes_nothing(data_dir):
    store = Store(data_dir)
    try:
        kiosk_id = store.kiosk_id
        migrate(store.conn, data_dir)  # already at VERSION: nothing to do
        assert store.conn.execute("SELECT COUNT(*) FROM kiosk").fetchone()[0] == 1
        assert store.conn.execute("SELECT kiosk_id FROM kiosk").fetchone()[0] == kiosk_id
    finally:
        store.close()


def test_salvage_keeps_the_kiosk_id(tmp_path):
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 30)
    store = Store(data_dir)
    kiosk_id = store.kiosk_id
    store.close()
    [(leaf, _)] = pages_of(db, "print_jobs", "leaf")[:1]
    overwrite_pages(db, [leaf], filler=b"\0")
    report = salvage(data_dir)
    assert report.kept_in is not None and report.dropped == 0
    store = Store(data_dir)
    try:
        assert store.kiosk_id == kiosk_id
        assert _ids(store, "letters") == {kiosk_id}
    finally:
        store.close()
