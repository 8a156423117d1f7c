"""A damaged, emptied or missing store: every command refuses with exit 2 and a plain message
saying what to do next, never a traceback, never a restart loop, and the store is left exactly
as it was found. The real command line, in subprocesses, on stores damaged byte by byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store import StorageError, Store
from kiosk.store.marker import MARKER_NAME
from tests.support import ROOT
from tests.support.checks.kiosk_cli import assert_refused, kiosk_cli
from tests.support.stores import DAMAGE, DB, digest, make_store, pages_of

# Every command that opens the store, as staff would type it.
EVERY_COMMAND = [
    ["run"], ["outbox", "list"], ["outbox", "retry", "1"], ["outbox", "retry", "--failed"],
    ["outbox", "cancel", "1"], ["outbox", "release"], ["outbox", "send"],
    ["print-queue", "list"], ["print-queue", "list", "--all"], ["print-queue", "retry", "1"],
    ["print-queue", "cancel", "1"], ["export", "--out", "{out}"], ["purge"],
    ["purge", "--days", "0"],
]
# For the other kinds of damage, one of each sort: the kiosk, reading, changing, exporting.
SOME_COMMANDS = [["run"], ["outbox", "list"], ["print-queue", "retry", "1"],
                 ["export", "--out", "{out}"], ["purge", "--days", "0"]]
WHAT_TO_DO = {"truncated": "salvage", "garbage": "salvage", "header": "salvage",
              "pages": "salvage", "empty": "salvage", "missing": "salvage"}
SAID = {"truncated": "is damaged", "garbage": "does not start like a database file",
        "header": "does not start like a database file", "pages": "is damaged",
        "empty": "is empty, but this folder held a store before",
        "missing": "is missing, but this folder held a store before"}


def _cases() -> list:
    return [pytest.param(damage, command, id=f"{damage}-{'-'.join(command[:2])}")
            for damage in DAMAGE
            for command in (EVERY_COMMAND if damage == "pages" else SOME_COMMANDS)]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    """One damaged data dir per kind of damage, made once: commands must not change them."""
    made = {}
    for damage, harm in DAMAGE.items():
        data_dir = tmp_path_factory.mktemp(damage) / "data"
        db = make_store(data_dir, 150)
        harm(db)
        made[damage] = data_dir
    return made


@pytest.mark.parametrize(("damage", "command"), _cases())
def test_every_command_refuses_damaged_storage_and_changes_nothing(stores, damage, command,
                                                                   tmp_path):
    data_dir = stores[damage]
    before = {p.name: digest(p) for p in data_dir.iterdir() if p.name.startswith(DB)}
    args = [a.replace("{out}", str(tmp_path / "export")) for a in command]
    done = kiosk_cli(*args, "--data-dir", str(data_dir))
    assert_refused(done, SAID[damage], f"python -m kiosk {WHAT_TO_DO[damage]} --data-dir")
    assert "Nothing was" in done.stderr
    # Never overwritten, never deleted, never replaced by a new, empty store.
    assert digest(data_dir / DB) == before.get(DB)
    assert not (tmp_path / "export").exists(), "no export of a store that cannot be read"


def test_run_refuses_before_qt_is_even_loaded(stores):
    probe = ("import sys\n"
             "from kiosk.cli import main\n"
             "code = main(['run', '--data-dir', sys.argv[1]])\n"
             "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
             "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", probe, str(stores["pages"])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert_refused(done, "is damaged")
    assert done.stdout.strip() == "[]", "no window, not even Qt, for a store that cannot be used"


def test_a_damaged_page_is_found_when_the_store_opens_not_when_it_is_read(tmp_path):
    """Two pages of letters nobody reads when the kiosk starts: found at the first open."""
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 150)
    DAMAGE["pages"](db)
    with pytest.raises(StorageError) as refused:
        Store(data_dir)
    assert refused.value.kind == "damaged"


def test_broken_bytes_inside_a_letters_words_never_stop_a_command(tmp_path):
    """A damaged sector inside the words of a letter leaves SQLite's structure whole, so the
    check at start cannot see it: it is read as U+FFFD, as the receipt shows what it cannot
    print, and everything carries on (before, the export stopped on a traceback)."""
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 150)
    leaf = pages_of(db, "letters", "leaf")[5][0]
    data = bytearray(db.read_bytes())
    data[(leaf - 1) * 4096 + 2000:(leaf - 1) * 4096 + 2100] = b"\xff" * 100  # inside words
    db.write_bytes(bytes(data))
    for command in (["outbox", "list"], ["export", "--out", str(tmp_path / "usb")]):
        done = kiosk_cli(*command, "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr
        assert "unreadable bytes" in done.stderr and "mot" not in done.stderr
    store = Store(data_dir)
    assert any("\ufffd" in str(r) for r in store.letters())
    store.close()


def test_an_empty_file_is_a_new_store_only_on_a_first_start(tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / DB).touch()  # a 0-byte file and no marker: nothing was ever kept here
    Store(fresh).close()
    assert (fresh / MARKER_NAME).exists(), "from now on, an emptied store would be noticed"

    used = tmp_path / "used"
    make_store(used, 3)
    os.truncate(used / DB, 0)
    with pytest.raises(StorageError) as refused:
        Store(used)
    assert refused.value.kind == "empty"
    assert (used / DB).stat().st_size == 0, "the empty file is left as found"


def test_a_store_from_an_older_kiosk_gets_its_marker_when_first_opened(tmp_path):
    data_dir = tmp_path / "data"
    make_store(data_dir, 2)
    (data_dir / MARKER_NAME).unlink()  # as a store made before markers existed
    Store(data_dir).close()
    assert (data_dir / MARKER_NAME).exists()


def test_a_fifo_or_a_folder_in_place_of_the_store_is_refused_without_hanging(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    os.mkfifo(data_dir / DB)
    assert_refused(kiosk_cli("outbox", "list", "--data-dir", str(data_dir), timeout=60),
                   "is not an ordinary file")
    (data_dir / DB).unlink()
    (data_dir / DB).mkdir()
    assert_refused(kiosk_cli("purge", "--data-dir", str(data_dir), timeout=60),
                   "is not an ordinary file")


def test_a_data_dir_that_is_a_file_is_refused(tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("not a folder")
    assert_refused(kiosk_cli("outbox", "list", "--data-dir", str(not_a_folder)), "is not a folder")


def test_a_store_from_a_newer_kiosk_is_refused_in_french_too(tmp_path):
    data_dir = tmp_path / "data"
    make_store(data_dir, 2)
    import sqlite3

    conn = sqlite3.connect(data_dir / DB)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(data_dir / DB)
    assert_refused(kiosk_cli("outbox", "list", "--lang", "fr", "--data-dir", str(data_dir)),
                   "version plus récente de Letter Kiosk", "Rien n’a été modifié")
    assert_refused(kiosk_cli("run", "--data-dir", str(data_dir)), "newer version of Letter Kiosk")
    assert digest(data_dir / DB) == before


def test_a_store_with_foreign_tables_is_refused(tmp_path):
    import sqlite3

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, jpeg BLOB)")
    conn.close()
    assert_refused(kiosk_cli("outbox", "list", "--data-dir", str(data_dir)),
                   "its tables are not the ones Letter Kiosk writes")


def test_a_store_another_program_keeps_locked_is_refused_after_the_busy_timeout(tmp_path):
    data_dir = tmp_path / "data"
    make_store(data_dir, 3)
    hog = Store(data_dir)
    hog.conn.execute("BEGIN IMMEDIATE")  # and never commits, as a stuck program would
    try:
        assert_refused(kiosk_cli("outbox", "retry", "1", "--data-dir", str(data_dir)),
                       "is busy", "try again in a minute")
    finally:
        hog.conn.execute("ROLLBACK")
        hog.close()
